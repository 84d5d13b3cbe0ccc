-- 返工案件数: cases sent back at least once, counted by the cohort of reports, the numerator of
-- 返工率 when it is taken over 立案数 (issue 15). The rollups are recounted under the new
-- counting rules when the database is next opened (`stats.counting`).
ALTER TABLE stat_day ADD COLUMN reworked_cases BIGINT NOT NULL DEFAULT 0;
