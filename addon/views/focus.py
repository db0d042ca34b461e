"""Bring Anki's main window forward after an action that moves the learner there.

Our progress view and note viewer are non-modal dialogs owned by the main window, so they stay
above it: after "Study now" moves the main window to the deck's overview (or a mock interview to
the reviewer), nothing would visibly happen. The learner clicked to study, so both dialogs are
closed (the viewer would also show the answers beside the reviewer); the main window is
restored if minimized, raised and activated. Other windows (the mock interview's timer, Anki's
own) are left alone. Must never run collection work: only window management.
"""

from __future__ import annotations


def bring_main_window_forward() -> None:
    """Close our dialogs that cover the main window, then restore, raise and activate it."""
    from aqt import mw
    from aqt.qt import Qt

    from . import note_viewer, progress_view

    for dialog in (progress_view.dialog(), note_viewer.viewer()):
        if dialog is not None:
            dialog.close()
    if mw is None:
        return
    if mw.isMinimized():
        mw.setWindowState(mw.windowState() & ~Qt.WindowState.WindowMinimized)
    mw.show()
    mw.raise_()
    mw.activateWindow()
