import FluentKit
import FluentPostgresDriver
import FluentSQLiteDriver
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import ServiceLifecycle
import Synchronization

/// The one data layer: a FluentKit connection pool on SQLite or PostgreSQL, with the
/// versioned migrations in `ArgusMigrations`.
public final class ArgusDatabase: Sendable {
    public let location: DatabaseLocation
    private let databases: Databases
    private let logger: Logger
    /// SQLite has one writer: every query goes through one event loop, so one connection,
    /// instead of a connection per loop contending for the file lock.
    private let sqliteLoop: (any EventLoop)?
    /// SQLite only: a second connection, on another loop, for the reads every request
    /// makes (who is calling): in WAL mode a reader never waits for the writer, so a
    /// request is not held up behind a worker's transaction on the writer connection.
    private let sqliteReaderLoop: (any EventLoop)?
    /// Set once every migration is known to be applied, so health checks stop asking.
    private let migrated = Mutex(false)

    /// Opens the pool (connections are made lazily). `poolSize` bounds PostgreSQL
    /// connections per event loop; SQLite always uses one writer connection.
    public init(location: DatabaseLocation, poolSize: Int = 4, logger: Logger) throws {
        self.location = location
        self.logger = logger
        databases = Databases(threadPool: NIOThreadPool.singleton, on: MultiThreadedEventLoopGroup.singleton)
        switch location {
        case .sqlite(let path):
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            }
            databases.use(.sqlite(.file(path), connectionPoolTimeout: Self.poolTimeout, sqlLogLevel: .trace), as: .sqlite)
            databases.use(
                .sqlite(.file(path), connectionPoolTimeout: Self.poolTimeout, sqlLogLevel: .trace), as: .sqliteReader)
            sqliteLoop = MultiThreadedEventLoopGroup.singleton.next()
            sqliteReaderLoop = MultiThreadedEventLoopGroup.singleton.next()
        case .postgres(let url):
            databases.use(
                try .postgres(
                    url: url, maxConnectionsPerEventLoop: poolSize, connectionPoolTimeout: Self.poolTimeout,
                    sqlLogLevel: .trace),
                as: .psql)
            sqliteLoop = nil
            sqliteReaderLoop = nil
        }
    }

    /// How long a query may wait for a connection under load before it fails (503).
    static let poolTimeout: TimeAmount = .seconds(60)

    /// A handle for one unit of work; cheap, so take one per request.
    public var db: any Database {
        databases.database(logger: logger, on: sqliteLoop ?? MultiThreadedEventLoopGroup.singleton.any())!
    }

    public var sql: any SQLDatabase { db as! any SQLDatabase }

    /// For reads that need no transaction and may see any committed state: on SQLite its
    /// reader connection, on PostgreSQL the pool.
    var reader: any SQLDatabase {
        guard let sqliteReaderLoop else { return sql }
        return databases.database(.sqliteReader, logger: logger, on: sqliteReaderLoop)! as! any SQLDatabase
    }

    /// Raw SQL that differs between the engines asks this (`FOR UPDATE SKIP LOCKED`).
    var isPostgres: Bool {
        if case .postgres = location { return true }
        return false
    }

    private var migrator: Migrator {
        let migrations = Migrations()
        migrations.add(ArgusMigrations.all)
        return Migrator(
            databases: databases, migrations: migrations, logger: logger,
            on: MultiThreadedEventLoopGroup.singleton.any(), migrationLogLevel: .debug)
    }

    /// Applies every migration not yet applied, as one batch; returns their names.
    @discardableResult
    public func migrate() async throws -> [String] {
        let migrator = self.migrator
        try await migrator.setupIfNeeded().get()
        let pending = try await migrator.previewPrepareBatch().get().map { $0.0.name }
        if !pending.isEmpty { try await migrator.prepareBatch().get() }
        if case .sqlite = location {
            // Write-ahead logging: readers never wait for the writer, and a commit costs
            // one sync of the log instead of two of the database and its journal.
            _ = try await sql.raw("PRAGMA journal_mode=WAL").all()
            _ = try await sql.raw("PRAGMA synchronous=NORMAL").all()
            // Several processes (argus serve, argus worker) may share the file: a writer
            // waits up to 5 s for another's lock instead of failing at once.
            _ = try await sql.raw("PRAGMA busy_timeout=5000").all()
        }
        migrated.withLock { $0 = true }
        return pending
    }

    /// Migrations not applied yet, by name.
    public func pendingMigrations() async throws -> [String] {
        if migrated.withLock({ $0 }) { return [] }
        let migrator = self.migrator
        try await migrator.setupIfNeeded().get()
        return try await migrator.previewPrepareBatch().get().map { $0.0.name }
    }

    /// A trivial round trip, for `/health`.
    public func ping() async throws {
        _ = try await sql.raw("SELECT 1 AS one").all()
    }

    public func shutdown() async {
        await databases.shutdownAsync()
    }
}

extension DatabaseID {
    /// The SQLite reader connection (see `ArgusDatabase.reader`).
    static let sqliteReader = DatabaseID(string: "sqlite-reader")
}

/// Closes the pool when the application shuts down (sqlite-nio connections must be
/// closed before the process ends).
public struct DatabaseService: Service {
    let database: ArgusDatabase

    public init(database: ArgusDatabase) {
        self.database = database
    }

    public func run() async throws {
        try? await gracefulShutdown()
        await database.shutdown()
    }
}
