-- Índices B-tree além do básico: de expressão e de cobertura (INCLUDE).
--
-- 1. Índice de expressão: indexa lower(email), e só consultas que usam
--    exatamente essa expressão (WHERE lower(email) = ...) podem usá-lo.
-- 2. Índice de cobertura (PostgreSQL 11+): UNIQUE só em number; status e
--    total vão junto no índice (INCLUDE) para permitir index-only scan.
--
-- Roda de cima a baixo num schema vazio (psql -f). Testado por index_kinds.py,
-- que o executa comando a comando e confere os planos (EXPLAIN), a exigência
-- de funções IMMUTABLE e a unicidade.

CREATE TABLE users (
    id         int         PRIMARY KEY,
    email      text        NOT NULL,
    created_at timestamptz NOT NULL
);
INSERT INTO users
SELECT i, 'User' || i || '@Example.com',
       timestamptz '2024-01-01 00:00+00' + i * interval '1 minute'
FROM generate_series(1, 50000) AS s(i);

CREATE TABLE orders (
    id     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number int           NOT NULL,
    status text          NOT NULL,
    total  numeric(10,2) NOT NULL
);
INSERT INTO orders (number, status, total)
SELECT i, (ARRAY['new', 'paid', 'shipped'])[i % 3 + 1], (i % 500) + 0.99
FROM generate_series(1, 100000) AS s(i);

-- region: expression-index
CREATE INDEX users_email_lower ON users (lower(email));
-- endregion: expression-index

-- region: covering-index
CREATE UNIQUE INDEX orders_number ON orders (number) INCLUDE (status, total);
-- endregion: covering-index
