-- Outbound notices (issue 18). Kept in step with the other backend's 0019_notices.sql.
--
-- A webhook subscription with a template is a notice channel (an SMS gateway, a 浙政钉 work
-- notice): its deliveries carry the template filled with the case's facts instead of the
-- change's JSON. NULL keeps a subscription what it was.
ALTER TABLE webhook ADD COLUMN template TEXT;
