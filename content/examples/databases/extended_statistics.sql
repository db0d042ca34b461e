-- Extended statistics para colunas correlacionadas (cidade -> estado).
--
-- O planejador supõe que as colunas são independentes e multiplica as
-- seletividades: para WHERE city = ... AND state = ... ele subestima muito,
-- porque a cidade já determina o estado. CREATE STATISTICS declara o grupo
-- de colunas; o ANALYZE seguinte coleta as estatísticas (dependencies,
-- ndistinct e, desde o PostgreSQL 12, mcv) e a estimativa passa a bater.
--
-- Roda de cima a baixo num schema vazio (psql -f). Testado por
-- extended_statistics.py, que compara as linhas estimadas (EXPLAIN) com as
-- reais antes, entre e depois dos dois comandos da região.

CREATE TABLE addresses (
    id    int  PRIMARY KEY,
    city  text NOT NULL,
    state text NOT NULL
);
-- 100 cidades com 1000 endereços cada; 20 estados, cada cidade em um só
INSERT INTO addresses
SELECT i, 'Cidade ' || i % 100, 'UF' || i % 100 % 20
FROM generate_series(1, 100000) AS s(i);
ANALYZE addresses;

-- region: create-statistics
CREATE STATISTICS addr_city_state (dependencies, ndistinct, mcv)
    ON city, state FROM addresses;
ANALYZE addresses;
-- endregion: create-statistics
