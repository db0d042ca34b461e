"""Infrastructure with no knowledge of content: the build cache, atomic files, locks, trusted knowledge bases."""
