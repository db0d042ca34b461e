-- Manutenção de tabela particionada sem travar escritas nem usar DELETE.
--
-- 1. Índice "online": CREATE INDEX CONCURRENTLY não funciona no pai de uma
--    tabela particionada. Cria-se o índice só no pai (ON ONLY: nasce inválido),
--    um índice CONCURRENTLY em cada partição e anexa-se cada um ao do pai com
--    ATTACH PARTITION. Com todas as partições anexadas, o do pai fica válido.
-- 2. Retenção: DETACH PARTITION + DROP TABLE remove um mês inteiro sem DELETE.
--
-- Roda de cima a baixo num schema vazio, fora de bloco de transação (psql -f).
-- Testado por partition_maintenance.py, que o executa comando a comando e
-- confere pg_index.indisvalid a cada passo e as linhas que sobram no fim.

CREATE TABLE events (
    id         bigint      NOT NULL,
    created_at timestamptz NOT NULL,
    payload    text
) PARTITION BY RANGE (created_at);
CREATE TABLE events_2024_01 PARTITION OF events
    FOR VALUES FROM ('2024-01-01') TO ('2024-02-01');
CREATE TABLE events_2024_02 PARTITION OF events
    FOR VALUES FROM ('2024-02-01') TO ('2024-03-01');
-- 100 linhas por dia, ao meio-dia: 3100 em janeiro, 2900 em fevereiro
INSERT INTO events
SELECT i, date '2024-01-01' + i % 60 + time '12:00', 'x'
FROM generate_series(1, 6000) AS s(i);

-- region: index-on-only
CREATE INDEX events_idx ON ONLY events (created_at);      -- inválido no pai
CREATE INDEX CONCURRENTLY events_2024_01_idx ON events_2024_01 (created_at);
ALTER INDEX events_idx ATTACH PARTITION events_2024_01_idx;
CREATE INDEX CONCURRENTLY events_2024_02_idx ON events_2024_02 (created_at);
ALTER INDEX events_idx ATTACH PARTITION events_2024_02_idx;
-- endregion: index-on-only

-- region: detach-retention
ALTER TABLE events DETACH PARTITION events_2024_01;
DROP TABLE events_2024_01;
-- endregion: detach-retention
