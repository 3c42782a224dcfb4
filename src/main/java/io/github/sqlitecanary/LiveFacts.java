package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.DatabaseFile;
import io.github.sqlitecanary.internal.DatabaseLocation;
import io.github.sqlitecanary.internal.DeployPlatform;
import io.github.sqlitecanary.internal.FileSystemProbe;
import io.github.sqlitecanary.internal.LockFile;
import io.github.sqlitecanary.internal.MarkerTable;
import io.github.sqlitecanary.internal.LocalSystem;
import io.github.sqlitecanary.internal.RealPath;
import io.github.sqlitecanary.internal.SqliteConnections;
import io.github.sqlitecanary.internal.SqliteDriver;
import io.github.sqlitecanary.internal.SqliteErrors;
import io.github.sqlitecanary.internal.Storage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import javax.sql.DataSource;

/**
 * The facts of one database on this machine, each read once, when {@link Verdict#decide} first
 * asks for it. Reads only: nothing here writes, creates or recovers anything, except that
 * {@link SqliteConnections.Recovery#IN_PLACE} lets SQLite roll back a crash's hot journal as any
 * connection would.
 */
final class LiveFacts implements DatabaseFacts {

    /** Everything the facts of every database share. */
    record Context(CanaryOptions options, FileSystemProbe probe, LocalSystem localSystem, Path workingDirectory,
            SqliteConnections.Recovery recovery, Optional<DeployPlatform> platform) {

        /** The deploy identifier and where it came from: the configured one, else the platform's. */
        Optional<DeployPlatform.Identity> deployIdentity() {
            if (options.deployId().isPresent()) {
                return Optional.of(new DeployPlatform.Identity(options.deployId().get(), CanaryOptions.DEPLOY_ID));
            }
            return options.platformDeployId() ? platform.flatMap(DeployPlatform::deployIdentity) : Optional.empty();
        }
    }

    private final Context context;
    private final String database;
    private final String configurationProblem;
    private final String dataSourceProblem;
    private final String ephemeralReason;
    private final Path file;
    private final LockFile lockFile;
    private final List<String> locationWarnings = new ArrayList<>();

    private Directory directory;
    private Storage storage;
    private DatabaseFile databaseFile;
    private Optional<String> sqliteProblem;
    private MarkerRead marker;
    private LockRead lock;

    private LiveFacts(Context context, String database, String configurationProblem, String dataSourceProblem,
            DatabaseLocation location) {
        this.context = context;
        this.database = database;
        this.configurationProblem = configurationProblem;
        this.dataSourceProblem = dataSourceProblem;
        this.ephemeralReason = location == null ? null : location.ephemeralReason().orElse(null);
        Path configured = location == null ? null : location.file().orElse(null);
        this.file = configured == null ? null : RealPath.of(configured);
        this.lockFile = file == null ? null
                : LockFile.of(context.options().lockDirectory(), file, context.localSystem());
        if (location != null && location.relative() && file != null) {
            locationWarnings.add("the database path " + database + " is relative and was resolved against the "
                    + "server's working directory as " + file + "; configure an absolute path");
        }
    }

    /** The facts of a configured path or {@code jdbc:sqlite:} URL. */
    static LiveFacts ofConfigured(Context context, String configured) {
        return ofUrl(context, configured, null);
    }

    /** The facts of the database that a JNDI DataSource's URL names. */
    static LiveFacts ofDataSource(Context context, String name, Function<String, DataSource> lookup) {
        DataSource dataSource;
        try {
            dataSource = lookup.apply(name);
        } catch (RuntimeException e) {
            // Quarkus, Helidon and plain Java programs bind no DataSource in JNDI: say what to set there.
            return new LiveFacts(context, name, CanaryOptions.DATASOURCE + "=\"" + name
                    + "\" names no DataSource that can be looked up: " + e.getMessage() + ". Check the name against"
                    + " the server's DataSources; on a runtime without JNDI DataSources (Quarkus, Helidon, a plain"
                    + " Java program) set " + CanaryOptions.DATABASE + " to the database's path or jdbc:sqlite: URL"
                    + " instead", null, null);
        }
        String found;
        try (Connection connection = dataSource.getConnection()) {
            found = connection.getMetaData().getURL();
        } catch (SQLException e) {
            return new LiveFacts(context, name, null, "the DataSource " + name + " gives no connection ("
                    + SqliteErrors.describe(e, context.options().busyTimeoutMillis(), context.options().table()) + ")",
                    null);
        }
        if (found == null || !found.regionMatches(true, 0, "jdbc:sqlite:", 0, 12)) {
            String shown = found == null ? "no URL" : "a URL of another kind (" + found.split("[?;]", 2)[0] + ")";
            return new LiveFacts(context, name, CanaryOptions.DATASOURCE + "=\"" + name
                    + "\" is not an SQLite DataSource: its connections report " + shown, null, null);
        }
        return ofUrl(context, found, name);
    }

    private static LiveFacts ofUrl(Context context, String configured, String dataSourceName) {
        String suffix = dataSourceName == null ? "" : " (DataSource " + dataSourceName + ")";
        try {
            DatabaseLocation location = DatabaseLocation.parse(configured, context.workingDirectory());
            return new LiveFacts(context, location.display() + suffix, null, null, location);
        } catch (IllegalArgumentException e) {
            return new LiveFacts(context, DatabaseLocation.withoutQuery(configured) + suffix,
                    CanaryOptions.DATABASE + " names an unusable database: " + e.getMessage(), null, null);
        }
    }

    @Override
    public String database() {
        return database;
    }

    @Override
    public Optional<String> configurationProblem() {
        return Optional.ofNullable(configurationProblem);
    }

    @Override
    public Optional<String> dataSourceProblem() {
        return Optional.ofNullable(dataSourceProblem);
    }

    @Override
    public Optional<String> ephemeralReason() {
        return Optional.ofNullable(ephemeralReason);
    }

    @Override
    public Path file() {
        return file;
    }

    @Override
    public Directory directory() {
        if (directory == null) {
            Path parent = file.getParent();
            directory = !Files.exists(parent) ? Directory.MISSING
                    : Files.isDirectory(parent) ? Directory.PRESENT : Directory.NOT_A_DIRECTORY;
        }
        return directory;
    }

    @Override
    public Storage storage() {
        if (storage == null) {
            storage = context.probe().examine(file, lockFile.directory());
        }
        return storage;
    }

    /** The storage, where it was examined. */
    Optional<Storage> storageIfExamined() {
        return Optional.ofNullable(storage);
    }

    @Override
    public DatabaseFile databaseFile() {
        if (databaseFile == null) {
            databaseFile = DatabaseFile.inspect(file);
        }
        return databaseFile;
    }

    @Override
    public Optional<String> sqliteProblem() {
        if (sqliteProblem == null) {
            sqliteProblem = SqliteDriver.problem();
        }
        return sqliteProblem;
    }

    @Override
    public MarkerRead marker() {
        if (marker == null) {
            marker = readMarker();
        }
        return marker;
    }

    private MarkerRead readMarker() {
        MarkerTable table = new MarkerTable(context.options().table());
        try {
            return MarkerRead.found(SqliteConnections.readMarker(file, databaseFile().kind(), table,
                    context.options().busyTimeoutMillis(), context.recovery()));
        } catch (MarkerTable.ForeignTableException e) {
            return MarkerRead.unreadable(e.getMessage() + "; set " + CanaryOptions.TABLE
                    + " to a name of the canary's own");
        } catch (SQLException e) {
            return MarkerRead.unreadable(SqliteErrors.describe(e, context.options().busyTimeoutMillis(), table.name()));
        }
    }

    /** Marker and lock as read again inside the first boot's write transaction; the rest has not changed. */
    void readAgainUnderWriteLock(MarkerRead markerNow, LockRead lockNow) {
        this.marker = markerNow;
        this.lock = lockNow;
    }

    @Override
    public LockRead lock() {
        if (lock == null) {
            try {
                lock = LockRead.of(lockFile.presence() == LockFile.Presence.PRESENT);
            } catch (LockFile.UnusableException e) {
                lock = LockRead.unusable(e.getMessage());
            }
        }
        return lock;
    }

    @Override
    public Path lockPath() {
        return lockFile.path();
    }

    LockFile lockFile() {
        return lockFile;
    }

    @Override
    public Optional<String> markerWriteProblem() {
        String user = context.localSystem().uid().isPresent()
                ? "this process's user (user id " + context.localSystem().uid().getAsInt() + ")" : "this process";
        Path parent = file.getParent();
        if (databaseFile().kind() != DatabaseFile.Kind.ABSENT && !Files.isWritable(file)) {
            return Optional.of("it is read-only: " + user + " may not write the file (a read-only volume, or a "
                    + "permission problem: the file's owner and mode), and the canary must write its marker table \""
                    + context.options().table() + "\" into it on the first boot");
        }
        if (!Files.isWritable(parent)) {
            return Optional.of("its directory " + parent + " is read-only: " + user + " may not write there (a "
                    + "read-only volume, or a permission problem: the directory's owner and mode), and SQLite must "
                    + "create " + (databaseFile().kind() == DatabaseFile.Kind.ABSENT ? "the database" : "its journal")
                    + " there to write the canary's marker on the first boot");
        }
        return Optional.empty();
    }

    @Override
    public Optional<String> lockCreationProblem() {
        return lockFile.creationProblem();
    }

    @Override
    public Optional<String> deployId() {
        return context.deployIdentity().map(DeployPlatform.Identity::value);
    }

    Optional<DeployPlatform.Identity> deployIdentity() {
        return context.deployIdentity();
    }

    @Override
    public Optional<DeployPlatform> platform() {
        return context.platform();
    }

    @Override
    public List<String> locationWarnings() {
        return List.copyOf(locationWarnings);
    }
}
