using E2eeChat.Storage.Sql;

namespace E2eeChat.Storage.Schema;

/// <summary>Every schema step in order. Append new ones; never edit a released step.</summary>
internal static class Migrations
{
    public static readonly IReadOnlyList<Migration> All =
    [
        new(1, "accounts, devices, sessions", d => $"""
            CREATE TABLE accounts (
                user_id {d.UuidType} PRIMARY KEY,
                username TEXT NOT NULL UNIQUE,
                identity_key {d.BytesType} NOT NULL,
                password_hash TEXT NOT NULL,
                created_at {d.Int64Type} NOT NULL);

            CREATE TABLE devices (
                user_id {d.UuidType} NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
                device_id INTEGER NOT NULL,
                name TEXT NOT NULL,
                registration_id INTEGER NOT NULL,
                created_at {d.Int64Type} NOT NULL,
                last_seen_at {d.Int64Type} NOT NULL,
                PRIMARY KEY (user_id, device_id));

            CREATE TABLE sessions (
                session_id {d.UuidType} PRIMARY KEY,
                user_id {d.UuidType} NOT NULL,
                device_id INTEGER NOT NULL,
                created_at {d.Int64Type} NOT NULL,
                expires_at {d.Int64Type} NOT NULL,
                revoked_at {d.Int64Type},
                FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE);
            CREATE INDEX sessions_by_device ON sessions (user_id, device_id);

            CREATE TABLE refresh_tokens (
                token_hash {d.BytesType} PRIMARY KEY,
                session_id {d.UuidType} NOT NULL REFERENCES sessions (session_id) ON DELETE CASCADE,
                expires_at {d.Int64Type} NOT NULL,
                used_at {d.Int64Type});
            CREATE INDEX refresh_tokens_by_session ON refresh_tokens (session_id);

            CREATE TABLE link_codes (
                code_hash {d.BytesType} PRIMARY KEY,
                user_id {d.UuidType} NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
                expires_at {d.Int64Type} NOT NULL);
            """),
        // kind: 0 = EC, 1 = Kyber. signed_prekeys holds the signed EC prekey (0) and the last-resort Kyber prekey (1).
        new(2, "prekeys", d => $"""
            CREATE TABLE signed_prekeys (
                user_id {d.UuidType} NOT NULL,
                device_id INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                key_id INTEGER NOT NULL,
                public_key {d.BytesType} NOT NULL,
                signature {d.BytesType} NOT NULL,
                PRIMARY KEY (user_id, device_id, kind),
                FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE);

            CREATE TABLE one_time_prekeys (
                user_id {d.UuidType} NOT NULL,
                device_id INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                key_id INTEGER NOT NULL,
                public_key {d.BytesType} NOT NULL,
                signature {d.BytesType},
                PRIMARY KEY (user_id, device_id, kind, key_id),
                FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE);
            """),
        new(3, "mailboxes, messages, receipts, conversations", d => $"""
            ALTER TABLE devices ADD COLUMN mailbox_seq {d.Int64Type} NOT NULL DEFAULT 0;

            CREATE TABLE messages (
                message_id {d.UuidType} PRIMARY KEY,
                sender_user {d.UuidType} NOT NULL,
                sender_device INTEGER NOT NULL,
                idempotency_key TEXT,
                room_id {d.UuidType},
                server_timestamp {d.Int64Type} NOT NULL,
                needs_sync BOOLEAN NOT NULL);
            CREATE UNIQUE INDEX messages_by_idempotency_key ON messages (sender_user, sender_device, idempotency_key)
                WHERE idempotency_key IS NOT NULL;
            CREATE INDEX messages_by_time ON messages (server_timestamp);

            CREATE TABLE envelopes (
                id {d.UuidType} PRIMARY KEY,
                user_id {d.UuidType} NOT NULL,
                device_id INTEGER NOT NULL,
                seq {d.Int64Type} NOT NULL,
                message_id {d.UuidType} NOT NULL,
                type INTEGER NOT NULL,
                source_user {d.UuidType} NOT NULL,
                source_device INTEGER NOT NULL,
                room_id {d.UuidType},
                client_timestamp {d.Int64Type} NOT NULL,
                server_timestamp {d.Int64Type} NOT NULL,
                content {d.BytesType} NOT NULL,
                expires_at {d.Int64Type},
                FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE);
            CREATE UNIQUE INDEX envelopes_by_mailbox ON envelopes (user_id, device_id, seq);
            CREATE INDEX envelopes_by_expiry ON envelopes (expires_at) WHERE expires_at IS NOT NULL;
            CREATE INDEX envelopes_by_time ON envelopes (server_timestamp);

            CREATE TABLE message_recipients (
                message_id {d.UuidType} NOT NULL REFERENCES messages (message_id) ON DELETE CASCADE,
                user_id {d.UuidType} NOT NULL,
                device_id INTEGER NOT NULL,
                sender_user {d.UuidType} NOT NULL,
                status INTEGER NOT NULL,
                updated_at {d.Int64Type} NOT NULL,
                PRIMARY KEY (message_id, user_id, device_id));

            CREATE TABLE conversations (
                user_id {d.UuidType} NOT NULL,
                peer_id {d.UuidType} NOT NULL,
                PRIMARY KEY (user_id, peer_id));
            """),
        new(4, "rooms and their members", d => $"""
            CREATE TABLE rooms (
                room_id {d.UuidType} PRIMARY KEY,
                name TEXT NOT NULL,
                created_at {d.Int64Type} NOT NULL);

            CREATE TABLE room_members (
                room_id {d.UuidType} NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
                user_id {d.UuidType} NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
                role INTEGER NOT NULL,
                joined_at {d.Int64Type} NOT NULL,
                position INTEGER NOT NULL,
                PRIMARY KEY (room_id, user_id));
            CREATE INDEX room_members_by_user ON room_members (user_id);
            """),
        // Membership needs consent: an invitation waits here until its invitee accepts (a room_members row) or declines.
        // direct_contacts replaces conversations, which stored both directions on every send, so one unsolicited
        // message made its sender a "peer". A row now says that sender_user has sent recipient_user a direct message;
        // a pair is mutual when both rows exist. Who sent what can only be rebuilt from the messages still retained.
        new(5, "room invitations; direct contacts by direction", d => $"""
            CREATE TABLE room_invitations (
                room_id {d.UuidType} NOT NULL REFERENCES rooms (room_id) ON DELETE CASCADE,
                user_id {d.UuidType} NOT NULL REFERENCES accounts (user_id) ON DELETE CASCADE,
                role INTEGER NOT NULL,
                invited_by {d.UuidType} NOT NULL,
                invited_at {d.Int64Type} NOT NULL,
                PRIMARY KEY (room_id, user_id));
            CREATE INDEX room_invitations_by_user ON room_invitations (user_id);

            CREATE TABLE direct_contacts (
                sender_user {d.UuidType} NOT NULL,
                recipient_user {d.UuidType} NOT NULL,
                PRIMARY KEY (sender_user, recipient_user));
            INSERT INTO direct_contacts (sender_user, recipient_user)
                SELECT DISTINCT m.sender_user, r.user_id FROM messages m JOIN message_recipients r ON r.message_id = m.message_id
                WHERE m.room_id IS NULL AND r.user_id <> m.sender_user;
            DROP TABLE conversations;
            """),
        // The bytes live in files in the embedded default and in attachment_chunks (pieces of at most 1 MiB) in
        // PostgreSQL; both modes keep the uploads and the per-day quota counts here.
        new(6, "attachments", d => $"""
            CREATE TABLE attachments (
                attachment_id TEXT PRIMARY KEY,
                owner_id {d.UuidType} NOT NULL,
                length {d.Int64Type} NOT NULL,
                upload_offset {d.Int64Type} NOT NULL,
                created_at {d.Int64Type} NOT NULL,
                expires_at {d.Int64Type} NOT NULL);
            CREATE INDEX attachments_by_expiry ON attachments (expires_at);

            CREATE TABLE attachment_chunks (
                attachment_id TEXT NOT NULL REFERENCES attachments (attachment_id) ON DELETE CASCADE,
                chunk_offset {d.Int64Type} NOT NULL,
                data {d.BytesType} NOT NULL,
                PRIMARY KEY (attachment_id, chunk_offset));

            CREATE TABLE attachment_quotas (
                owner_id {d.UuidType} NOT NULL,
                day INTEGER NOT NULL,
                bytes {d.Int64Type} NOT NULL,
                PRIMARY KEY (owner_id, day));
            """),
        // Each mailbox's size, kept by the writers that hold the device row anyway, for the quota check of every send.
        new(7, "mailbox counters", d => $"""
            ALTER TABLE devices ADD COLUMN mailbox_count {d.Int64Type} NOT NULL DEFAULT 0;
            ALTER TABLE devices ADD COLUMN mailbox_bytes {d.Int64Type} NOT NULL DEFAULT 0;
            UPDATE devices SET
                mailbox_count = (SELECT COUNT(*) FROM envelopes e WHERE e.user_id = devices.user_id AND e.device_id = devices.device_id),
                mailbox_bytes = (SELECT COALESCE(SUM(length(e.content)), 0) FROM envelopes e
                    WHERE e.user_id = devices.user_id AND e.device_id = devices.device_id);
            """),
        // One way to wake each device (kind: 0 = Web Push, 1 = push gateway), gone with the device. wake_pending
        // coalesces wake-ups: set by the instance that sends one, cleared when the device connects.
        new(8, "push registrations", d => $"""
            CREATE TABLE push_registrations (
                user_id {d.UuidType} NOT NULL,
                device_id INTEGER NOT NULL,
                kind INTEGER NOT NULL,
                endpoint TEXT NOT NULL,
                p256dh {d.BytesType},
                auth {d.BytesType},
                app_id TEXT,
                push_key TEXT,
                wake_pending BOOLEAN NOT NULL,
                created_at {d.Int64Type} NOT NULL,
                PRIMARY KEY (user_id, device_id),
                FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE);
            """),
        // Sealed sender: each account's unidentified access key (16 bytes, or none) and whether any key opens it; envelopes
        // sent without authentication have no source. An unidentified send's messages row has sender_device 0, which no
        // device has, and sender_user the scope of its idempotency key (its destination user, or a digest of the set), and
        // no message_recipients rows. SQLite cannot drop NOT NULL, so it rebuilds envelopes (a child table only).
        new(9, "unidentified access keys; sourceless envelopes", d => $"""
            ALTER TABLE accounts ADD COLUMN unidentified_access_key {d.BytesType};
            ALTER TABLE accounts ADD COLUMN unrestricted_unidentified_access BOOLEAN NOT NULL DEFAULT FALSE;
            {(d.Name == "sqlite" ? SqliteSourcelessEnvelopes(d) : """
                ALTER TABLE envelopes ALTER COLUMN source_user DROP NOT NULL, ALTER COLUMN source_device DROP NOT NULL;
                """)}
            """),
    ];

    private static string SqliteSourcelessEnvelopes(SqlDialect d) => $"""
        CREATE TABLE envelopes_v9 (
            id {d.UuidType} PRIMARY KEY,
            user_id {d.UuidType} NOT NULL,
            device_id INTEGER NOT NULL,
            seq {d.Int64Type} NOT NULL,
            message_id {d.UuidType} NOT NULL,
            type INTEGER NOT NULL,
            source_user {d.UuidType},
            source_device INTEGER,
            room_id {d.UuidType},
            client_timestamp {d.Int64Type} NOT NULL,
            server_timestamp {d.Int64Type} NOT NULL,
            content {d.BytesType} NOT NULL,
            expires_at {d.Int64Type},
            FOREIGN KEY (user_id, device_id) REFERENCES devices (user_id, device_id) ON DELETE CASCADE);
        INSERT INTO envelopes_v9 SELECT id, user_id, device_id, seq, message_id, type, source_user, source_device, room_id,
            client_timestamp, server_timestamp, content, expires_at FROM envelopes;
        DROP TABLE envelopes;
        ALTER TABLE envelopes_v9 RENAME TO envelopes;
        CREATE UNIQUE INDEX envelopes_by_mailbox ON envelopes (user_id, device_id, seq);
        CREATE INDEX envelopes_by_expiry ON envelopes (expires_at) WHERE expires_at IS NOT NULL;
        CREATE INDEX envelopes_by_time ON envelopes (server_timestamp);
        """;
}
