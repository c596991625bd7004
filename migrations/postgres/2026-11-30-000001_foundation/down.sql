DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE refresh_tokens;
DROP TABLE users;
DROP TABLE areas;
DROP TABLE enterprises;
