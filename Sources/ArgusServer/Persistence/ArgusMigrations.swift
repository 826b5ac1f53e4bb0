import FluentKit
import SQLKit

/// Every schema change, in order. Append new migrations; never edit an applied one.
/// Fluent records applied names in `_fluent_migrations`.
enum ArgusMigrations {
    static let all: [any Migration] = [
        M001CreateAccounts(), M002CreateImages(), M003CreateJobs(), M004CreateWebhooks(), M005CreateSchedulerState(),
        M006IndexJobClaimOrder(), M007CreateMailPreferencesAndPasswordResets(), M008DropJobClaimIndex(),
        M009CreateEmbeddingsAndTags(), M010CreateVideos(), M011AddVideoRuns(),
    ]
}

/// Users, refresh tokens, denied access tokens, API keys and login throttles.
struct M001CreateAccounts: AsyncMigration {
    var name: String { "001_create_accounts" }

    func prepare(on database: any Database) async throws {
        try await database.schema(UserRecord.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("role", .string, .required)
            .field("disabled", .bool, .required)
            .field("created_at", .datetime)
            .field("updated_at", .datetime)
            .unique(on: "email")
            .create()
        try await database.schema(RefreshTokenRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("family_id", .uuid, .required)
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("revoked_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await database.schema(DeniedAccessTokenRecord.schema)
            .field("jti", .string, .identifier(auto: false))
            .field("expires_at", .datetime, .required)
            .create()
        try await database.schema(APIKeyRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("name", .string, .required)
            .field("prefix", .string, .required)
            .field("secret_hash", .string, .required)
            .field("scopes", .string, .required)
            .field("expires_at", .datetime)
            .field("last_used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "prefix")
            .create()
        try await database.schema(LoginThrottleRecord.schema)
            .field("email", .string, .identifier(auto: false))
            .field("failures", .int, .required)
            .field("locked_until", .datetime)
            .field("updated_at", .datetime, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "refresh_tokens_family_idx").on(RefreshTokenRecord.schema).column("family_id").run()
            try await sql.create(index: "api_keys_user_idx").on(APIKeyRecord.schema).column("user_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [
            LoginThrottleRecord.schema, APIKeyRecord.schema, DeniedAccessTokenRecord.schema, RefreshTokenRecord.schema,
            UserRecord.schema,
        ] {
            try await database.schema(schema).delete()
        }
    }
}

/// Images, inference runs (the history) and the objects they found.
struct M002CreateImages: AsyncMigration {
    var name: String { "002_create_images" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ImageRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("sha256", .string, .required)
            .field("blob_key", .string, .required)
            .field("format", .string, .required)
            .field("width", .int, .required)
            .field("height", .int, .required)
            .field("byte_size", .int, .required)
            .field("filename", .string)
            .field("created_at", .datetime)
            .field("created_us", .int64, .required)
            .unique(on: "user_id", "sha256")
            .create()
        try await database.schema(InferenceRunRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("image_id", .uuid, .references(ImageRecord.schema, .id, onDelete: .cascade))
            .field("task", .string, .required)
            .field("model", .string, .required)
            .field("object_count", .int, .required)
            .field("inference_ms", .double, .required)
            .field("total_ms", .double, .required)
            .field("image_width", .int, .required)
            .field("image_height", .int, .required)
            .field("created_at", .datetime)
            .field("created_us", .int64, .required)
            .create()
        try await database.schema(DetectedObjectRecord.schema)
            .id()
            .field("run_id", .uuid, .required, .references(InferenceRunRecord.schema, .id, onDelete: .cascade))
            .field("image_id", .uuid, .references(ImageRecord.schema, .id, onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("kind", .string, .required)
            .field("label", .string, .required)
            .field("class_id", .int)
            .field("confidence", .double, .required)
            .field("x1", .double, .required)
            .field("y1", .double, .required)
            .field("x2", .double, .required)
            .field("y2", .double, .required)
            .field("radius", .double)
            .field("created_at", .datetime)
            .field("created_us", .int64, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "images_user_created_idx").on(ImageRecord.schema).column("user_id").column("created_us")
                .run()
            try await sql.create(index: "images_blob_idx").on(ImageRecord.schema).column("blob_key").run()
            try await sql.create(index: "runs_user_created_idx").on(InferenceRunRecord.schema).column("user_id").column(
                "created_us"
            ).run()
            try await sql.create(index: "runs_image_idx").on(InferenceRunRecord.schema).column("image_id").run()
            try await sql.create(index: "objects_image_idx").on(DetectedObjectRecord.schema).column("image_id").run()
            try await sql.create(index: "objects_run_idx").on(DetectedObjectRecord.schema).column("run_id").run()
            try await sql.create(index: "objects_user_label_idx").on(DetectedObjectRecord.schema).column("user_id").column(
                "label"
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        for schema in [DetectedObjectRecord.schema, InferenceRunRecord.schema, ImageRecord.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// The durable job queue: jobs, their attempts (the lease history) and the workers.
struct M003CreateJobs: AsyncMigration {
    var name: String { "003_create_jobs" }

    func prepare(on database: any Database) async throws {
        try await database.schema(JobRecord.schema)
            .id()
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("status", .string, .required)
            .field("priority", .int, .required)
            .field("attempts", .int, .required)
            .field("claims", .int, .required)
            .field("max_attempts", .int, .required)
            .field("timeout_seconds", .int, .required)
            .field("idempotency_key", .string)
            .field("user_id", .uuid, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("run_at_us", .int64, .required)
            .field("lease_until_us", .int64)
            .field("worker_id", .string)
            .field("progress", .int, .required)
            .field("progress_message", .string)
            .field("last_error", .string)
            .field("result", .string)
            .field("cancel_requested", .bool, .required)
            .field("created_us", .int64, .required)
            .field("started_us", .int64)
            .field("finished_us", .int64)
            .unique(on: "kind", "idempotency_key")
            .create()
        try await database.schema(JobAttemptRecord.schema)
            .id()
            .field("job_id", .uuid, .required, .references(JobRecord.schema, .id, onDelete: .cascade))
            .field("attempt", .int, .required)
            .field("worker_id", .string, .required)
            .field("started_us", .int64, .required)
            .field("ended_us", .int64)
            .field("outcome", .string)
            .field("error", .string)
            .unique(on: "job_id", "attempt")
            .create()
        try await database.schema(WorkerRecord.schema)
            .field("id", .string, .identifier(auto: false))
            .field("host", .string, .required)
            .field("pid", .int, .required)
            .field("kinds", .string, .required)
            .field("concurrency", .int, .required)
            .field("running", .int, .required)
            .field("started_us", .int64, .required)
            .field("last_beat_us", .int64, .required)
            .field("stopped_us", .int64)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "jobs_claim_idx").on(JobRecord.schema).column("status").column("run_at_us").run()
            try await sql.create(index: "jobs_user_created_idx").on(JobRecord.schema).column("user_id").column("created_us").run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WorkerRecord.schema).delete()
        try await database.schema(JobAttemptRecord.schema).delete()
        try await database.schema(JobRecord.schema).delete()
    }
}

/// Webhooks and their deliveries.
struct M004CreateWebhooks: AsyncMigration {
    var name: String { "004_create_webhooks" }

    func prepare(on database: any Database) async throws {
        try await database.schema(WebhookRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("url", .string, .required)
            .field("events", .string, .required)
            .field("secret", .string, .required)
            .field("created_us", .int64, .required)
            .create()
        try await database.schema(WebhookDeliveryRecord.schema)
            .id()
            .field("webhook_id", .uuid, .required, .references(WebhookRecord.schema, .id, onDelete: .cascade))
            .field("job_id", .uuid, .required)
            .field("event", .string, .required)
            .field("attempt", .int, .required)
            .field("status_code", .int)
            .field("latency_ms", .double)
            .field("error", .string)
            .field("created_us", .int64, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "webhooks_user_idx").on(WebhookRecord.schema).column("user_id").run()
            try await sql.create(index: "deliveries_webhook_idx").on(WebhookDeliveryRecord.schema).column("webhook_id").column(
                "created_us"
            ).run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WebhookDeliveryRecord.schema).delete()
        try await database.schema(WebhookRecord.schema).delete()
    }
}

/// The scheduler's leader lease and the last run of each periodic task.
struct M005CreateSchedulerState: AsyncMigration {
    var name: String { "005_create_scheduler_state" }

    func prepare(on database: any Database) async throws {
        try await database.schema("scheduler_state")
            .field("name", .string, .identifier(auto: false))
            .field("holder", .string)
            .field("until_us", .int64)
            .field("last_run_us", .int64, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("scheduler_state").delete()
    }
}

/// The claim's order (priority first) as an index, so a claim reads one row instead of
/// sorting the backlog.
struct M006IndexJobClaimOrder: AsyncMigration {
    var name: String { "006_index_job_claim_order" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        _ = try await sql.raw("CREATE INDEX jobs_claim_order_idx ON jobs (status, priority DESC, run_at_us, id)").all()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        _ = try await sql.raw("DROP INDEX jobs_claim_order_idx").all()
    }
}

/// Per-user mail choices (job e-mails, the weekly report; both off until the user opts
/// in) and the single-use tokens of the password-reset flow.
struct M007CreateMailPreferencesAndPasswordResets: AsyncMigration {
    var name: String { "007_mail_preferences_and_password_resets" }

    func prepare(on database: any Database) async throws {
        try await database.schema(UserRecord.schema)
            .field("job_emails", .bool, .required, .sql(.default(false)))
            .update()
        try await database.schema(UserRecord.schema)
            .field("weekly_report", .bool, .required, .sql(.default(false)))
            .update()
        try await database.schema(PasswordResetTokenRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("token_hash", .string, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .field("created_at", .datetime)
            .unique(on: "token_hash")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PasswordResetTokenRecord.schema).delete()
        try await database.schema(UserRecord.schema).deleteField("weekly_report").update()
        try await database.schema(UserRecord.schema).deleteField("job_emails").update()
    }
}

/// The claim's `ORDER BY priority DESC, run_at_us, id LIMIT 1` must walk
/// `jobs_claim_order_idx`; with `jobs_claim_idx (status, run_at_us)` beside it, SQLite
/// chose that one and sorted every due job on each claim. The order index serves every
/// query the old one did (they all start with `status`).
struct M008DropJobClaimIndex: AsyncMigration {
    var name: String { "008_drop_job_claim_index" }

    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        _ = try await sql.raw("DROP INDEX IF EXISTS jobs_claim_idx").all()
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.create(index: "jobs_claim_idx").on(JobRecord.schema).column("status").column("run_at_us").run()
    }
}

/// Image embeddings (one per image, the vector as bytes) and the tags the classifier gave.
struct M009CreateEmbeddingsAndTags: AsyncMigration {
    var name: String { "009_create_embeddings_and_tags" }

    func prepare(on database: any Database) async throws {
        try await database.schema(ImageEmbeddingRecord.schema)
            .field("id", .uuid, .identifier(auto: false), .references(ImageRecord.schema, .id, onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("model", .string, .required)
            .field("dimension", .int, .required)
            .field("vector", .data, .required)
            .field("created_us", .int64, .required)
            .create()
        try await database.schema(ImageTagRecord.schema)
            .id()
            .field("image_id", .uuid, .required, .references(ImageRecord.schema, .id, onDelete: .cascade))
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("label", .string, .required)
            .field("class_id", .int, .required)
            .field("score", .double, .required)
            .field("created_us", .int64, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "embeddings_created_idx").on(ImageEmbeddingRecord.schema).column("created_us").run()
            try await sql.create(index: "tags_image_idx").on(ImageTagRecord.schema).column("image_id").run()
            try await sql.create(index: "tags_user_label_idx").on(ImageTagRecord.schema).column("user_id").column("label")
                .run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(ImageTagRecord.schema).delete()
        try await database.schema(ImageEmbeddingRecord.schema).delete()
    }
}

/// Uploaded videos and their tracking summaries (the files are in VideoFiles).
struct M010CreateVideos: AsyncMigration {
    var name: String { "010_create_videos" }

    func prepare(on database: any Database) async throws {
        try await database.schema(VideoRecord.schema)
            .id()
            .field("user_id", .uuid, .required, .references(UserRecord.schema, .id, onDelete: .cascade))
            .field("filename", .string)
            .field("byte_size", .int64, .required)
            .field("probe", .string, .required)
            .field("settings", .string, .required)
            .field("job_id", .uuid)
            .field("summary", .string)
            .field("track_count", .int, .required)
            .field("annotated_bytes", .int64, .required)
            .field("created_at", .datetime)
            .field("created_us", .int64, .required)
            .create()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "videos_user_created_idx").on(VideoRecord.schema).column("user_id").column("created_us")
                .run()
        }
    }

    func revert(on database: any Database) async throws {
        try await database.schema(VideoRecord.schema).delete()
    }
}

/// A video's tracking run in the history: the run names its video.
struct M011AddVideoRuns: AsyncMigration {
    var name: String { "011_add_video_runs" }

    func prepare(on database: any Database) async throws {
        try await database.schema(InferenceRunRecord.schema).field("video_id", .uuid).update()
        if let sql = database as? any SQLDatabase {
            try await sql.create(index: "runs_video_idx").on(InferenceRunRecord.schema).column("video_id").run()
        }
    }

    func revert(on database: any Database) async throws {
        if let sql = database as? any SQLDatabase { try await sql.drop(index: "runs_video_idx").run() }
        try await database.schema(InferenceRunRecord.schema).deleteField("video_id").update()
    }
}
