-- Every instance keeps a short-lived cache of the sessions it has checked. Any
-- change to a session (sign-out, revocation, refresh) or to its user (profile,
-- address, deletion, which cascades to the sessions) is announced on the
-- 'session_changed' channel, so that every instance drops what it cached at
-- once, whichever code path made the change.
CREATE FUNCTION notify_session_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('session_changed', json_build_object('sessionId', OLD.id, 'userId', OLD.user_id)::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE FUNCTION notify_user_changed() RETURNS trigger AS $$
BEGIN
  PERFORM pg_notify('session_changed', json_build_object('userId', OLD.id)::text);
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER session_changed AFTER UPDATE OR DELETE ON "session"
  FOR EACH ROW EXECUTE FUNCTION notify_session_changed();
--> statement-breakpoint
CREATE TRIGGER user_changed AFTER UPDATE OR DELETE ON "user"
  FOR EACH ROW EXECUTE FUNCTION notify_user_changed();
