DROP INDEX reports_untriaged_major;
DROP TABLE outbox;
DROP TABLE sweeper_marks;
DROP TABLE escalation_stats;
DROP TABLE escalation_events;
DROP TABLE escalation_triggers;
DROP TABLE escalations;
