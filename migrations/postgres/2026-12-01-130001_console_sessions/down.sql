DROP INDEX console_sessions_user;
DROP TABLE console_sessions;
