package io.github.sqlitecanary;

import io.github.sqlitecanary.internal.CrashPoint;
import io.github.sqlitecanary.internal.DatabaseLocation;
import io.github.sqlitecanary.internal.FileIdentity;
import io.github.sqlitecanary.internal.FileSystemProbe;
import io.github.sqlitecanary.internal.Guidance;
import io.github.sqlitecanary.internal.LockFile;
import io.github.sqlitecanary.internal.MarkerTable;
import io.github.sqlitecanary.internal.MarkerTable.Marker;
import io.github.sqlitecanary.internal.SqliteConnections;
import io.github.sqlitecanary.internal.Storage;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * The canary: judges each configured database and, in {@link #check()}, writes the lock and the
 * marker that let a later deploy prove the database is kept.
 *
 * <pre>{@code
 * PersistenceCanary canary = new PersistenceCanary(CanaryOptions.builder().database("/data/app.db").build());
 * for (CanaryReport report : canary.check()) {
 *     System.out.println(report.state() + ": " + report.message());
 * }
 * }</pre>
 *
 * <p>Plain Java on sqlite-jdbc: no CDI, no MicroProfile. It never deletes, rewrites or migrates
 * user data; the only thing it writes into a database is one row in a table of its own.
 */
public final class PersistenceCanary {

    private final CanaryOptions options;
    private final FileSystemProbe fileSystemProbe;
    private final Function<String, DataSource> dataSourceLookup;
    private final Path workingDirectory;

    public PersistenceCanary(CanaryOptions options) {
        this(options, FileSystemProbe.ofThisMachine(), PersistenceCanary::lookUpDataSource,
                Path.of("").toAbsolutePath());
    }

    PersistenceCanary(CanaryOptions options, FileSystemProbe fileSystemProbe,
            Function<String, DataSource> dataSourceLookup, Path workingDirectory) {
        this.options = options;
        this.fileSystemProbe = fileSystemProbe;
        this.dataSourceLookup = dataSourceLookup;
        this.workingDirectory = workingDirectory;
    }

    public CanaryOptions options() {
        return options;
    }

    /**
     * Runs the canary as the application's start does: may write the lock and the marker.
     *
     * @return one report per database (a single report when disabled or misconfigured)
     */
    public List<CanaryReport> check() {
        return judgeAll(true);
    }

    /** Reports the state {@link #check()} would reach, reading only: creates no database, lock or marker. */
    public List<CanaryReport> status() {
        return judgeAll(false);
    }

    /**
     * The run-time re-check of a report: one {@code stat} of a verified database file. Returns the
     * report unchanged unless the file was deleted or replaced ({@link CanaryState#DATABASE_VANISHED}).
     */
    public static CanaryReport recheck(CanaryReport report) {
        FileIdentity verified = report.verifiedFile();
        if (verified == null) {
            return report;
        }
        FileIdentity.Change change = verified.change();
        return change == FileIdentity.Change.SAME ? report
                : report.withState(CanaryState.DATABASE_VANISHED, Guidance.vanished(report.database(), change));
    }

    private List<CanaryReport> judgeAll(boolean mayWrite) {
        if (!options.problems().isEmpty()) {
            // An unreadable enabled flag must not turn the canary off, so problems come first.
            // Shown in the report: without query strings, which may hold keys.
            String configured = String.join(",",
                    options.databases().stream().map(DatabaseLocation::withoutQuery).toList());
            return List.of(simple(CanaryState.MISCONFIGURED, configured.isEmpty() ? CanaryReport.NONE : configured,
                    Guidance.misconfigured(options.problems())));
        }
        if (!options.enabled()) {
            return List.of(simple(CanaryState.DISABLED, CanaryReport.NONE, Guidance.disabled()));
        }
        List<CanaryReport> reports = new ArrayList<>();
        for (String database : options.databases()) {
            reports.add(judge(database, null, mayWrite));
        }
        for (String name : options.dataSources()) {
            reports.add(judgeDataSource(name, mayWrite));
        }
        return List.copyOf(reports);
    }

    private CanaryReport judgeDataSource(String name, boolean mayWrite) {
        String url;
        DataSource dataSource;
        try {
            dataSource = dataSourceLookup.apply(name);
        } catch (RuntimeException e) {
            return simple(CanaryState.MISCONFIGURED, name, Guidance.misconfigured(List.of(CanaryOptions.DATASOURCE
                    + "=\"" + name + "\" names no DataSource that can be looked up: " + e.getMessage())));
        }
        try (Connection connection = dataSource.getConnection()) {
            url = connection.getMetaData().getURL();
        } catch (SQLException | RuntimeException e) {
            return simple(CanaryState.DATABASE_UNUSABLE, name,
                    Guidance.databaseUnusable(name, "the DataSource gives no connection: " + e.getMessage()));
        }
        if (url == null || !url.regionMatches(true, 0, "jdbc:sqlite:", 0, 12)) {
            String shown = url == null ? "no URL" : "a URL of another kind (" + url.split("[?;]", 2)[0] + ")";
            return simple(CanaryState.MISCONFIGURED, name, Guidance.misconfigured(List.of(CanaryOptions.DATASOURCE
                    + "=\"" + name + "\" is not an SQLite DataSource: its connections report " + shown)));
        }
        return judge(url, name, mayWrite);
    }

    /**
     * The state decision for one database, in the order of the state table.
     *
     * @param dataSource the JNDI name the database was found through, or null
     */
    private CanaryReport judge(String configured, String dataSource, boolean mayWrite) {
        DatabaseLocation location;
        try {
            location = DatabaseLocation.parse(configured, workingDirectory);
        } catch (IllegalArgumentException e) {
            String shown = DatabaseLocation.withoutQuery(configured);
            return simple(CanaryState.MISCONFIGURED, shown, Guidance.misconfigured(List.of(CanaryOptions.DATABASE
                    + " names an unusable database: " + e.getMessage())));
        }
        String database = dataSource == null ? location.display()
                : location.display() + " (DataSource " + dataSource + ")";
        if (location.ephemeralReason().isPresent()) {
            return simple(CanaryState.EPHEMERAL_DATABASE, database,
                    Guidance.ephemeralDatabase(database, location.ephemeralReason().get()));
        }
        Path file = location.file().orElseThrow();
        Path directory = file.getParent();
        List<String> warnings = new ArrayList<>();
        if (location.relative()) {
            warnings.add("the database path " + database + " is relative and was resolved against the server's "
                    + "working directory as " + file + "; configure an absolute path");
        }
        LockFile lock = LockFile.of(options.lockDirectory(), file);
        Report report = new Report(database, lock.path().toString(), "unknown", warnings);

        if (!Files.exists(directory)) {
            return report.of(CanaryState.VOLUME_MISSING, Guidance.volumeMissing(database, directory));
        }
        if (!Files.isDirectory(directory)) {
            return report.of(CanaryState.DATABASE_UNUSABLE, Guidance.parentNotDirectory(database, directory));
        }

        Storage storage = fileSystemProbe.examine(file, options.lockDirectory());
        report = report.withStorage(storage);
        if (storage.neverPersists().isPresent()) {
            Storage.Finding finding = storage.neverPersists().get();
            if (options.filesystemCheck()) {
                return report.of(finding.state(), finding.message());
            }
            // Switched off, the judgement still informs: the redeploy test decides instead.
            report.warnings.add(finding.state() + " not judged (" + CanaryOptions.FILESYSTEM_CHECK + "=false): "
                    + finding.message());
        }

        Optional<String> fileProblem = fileProblem(file);
        if (fileProblem.isPresent()) {
            return report.of(CanaryState.DATABASE_UNUSABLE, Guidance.databaseUnusable(database, fileProblem.get()));
        }

        MarkerTable table = new MarkerTable(options.table());
        Optional<Marker> marker;
        try {
            marker = readMarker(file, table);
        } catch (SQLException | MarkerTable.ForeignTableException e) {
            return report.of(CanaryState.DATABASE_UNUSABLE, Guidance.databaseUnusable(database, explain(e, table)));
        }
        if (marker.isPresent() && marker.get().verified()) {
            // The quiet path: persistence was proven once; read only, no lock, no write, no fsync.
            return report.verified(file, Guidance.verified(database, marker.get().firstBootAt()));
        }

        boolean lockPresent;
        try {
            lockPresent = lock.exists();
        } catch (LockFile.UnusableException e) {
            return report.of(CanaryState.LOCK_UNUSABLE, Guidance.lockUnusable(database, e.getMessage()));
        }
        if (marker.isPresent()) {
            return judgeUnverified(report, file, table, lock, marker.get(), lockPresent, mayWrite);
        }
        if (!mayWrite) {
            return lockPresent
                    ? report.of(CanaryState.DATABASE_NOT_KEPT, Guidance.databaseNotKept(database, lock.path(), false))
                    : report.of(CanaryState.FIRST_BOOT, Guidance.firstBoot(database, lock.path(), false));
        }
        return writeFirstMarker(report, file, table, lock);
    }

    private CanaryReport judgeUnverified(Report report, Path file, MarkerTable table, LockFile lock, Marker marker,
            boolean lockPresent, boolean mayWrite) {
        String database = report.database;
        Optional<String> deployId = options.deployId();
        String firstDeployId = marker.firstBootDeployId();
        boolean sameDeploy = deployId.isPresent() && deployId.get().equals(firstDeployId);
        if (sameDeploy) {
            // A deploy identifier can only hold a verdict back, never grant one.
            return report.of(CanaryState.AWAITING_REDEPLOY,
                    Guidance.awaitingRedeploySameDeploy(database, lock.path(), deployId.get(), lockPresent));
        }
        if (lockPresent) {
            return report.of(CanaryState.AWAITING_REDEPLOY, deployId.isPresent() && firstDeployId != null
                    ? Guidance.lockSurvivedRedeploy(database, lock.path(), deployId.get(), firstDeployId)
                    : Guidance.awaitingRedeploy(database, lock.path(), marker.firstBootAt()));
        }
        String message = Guidance.verified(database, marker.firstBootAt());
        if (!mayWrite) {
            return report.verified(file, message);
        }
        try (Connection connection = SqliteConnections.openForWriting(file, options.busyTimeoutMillis());
                Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            table.markVerified(connection, now(), deployId.orElse(null));
            statement.execute("COMMIT");
        } catch (SQLException e) {
            // Persistence is proven either way; only the record of it failed, so the next start checks again.
            report.warnings.add("the verification could not be recorded in the marker (" + explain(e, table)
                    + "); the next start checks the lock again");
        }
        return report.verified(file, message);
    }

    /**
     * The first-boot write, fail-safe by its order: the marker row is inserted inside a
     * {@code BEGIN IMMEDIATE} transaction (so concurrent instances queue up and agree on one row,
     * and a database that cannot take it fails before any lock exists), the lock is created and
     * forced to disk, and only then is the marker committed.
     */
    private CanaryReport writeFirstMarker(Report report, Path file, MarkerTable table, LockFile lock) {
        String database = report.database;
        try {
            lock.ensureDirectory();
        } catch (LockFile.UnusableException e) {
            return report.of(CanaryState.LOCK_UNUSABLE, Guidance.lockUnusable(database, e.getMessage()));
        }
        try (Connection connection = SqliteConnections.openForWriting(file, options.busyTimeoutMillis());
                Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            CrashPoint.reach(CrashPoint.TRANSACTION_BEGUN);
            try {
                table.create(connection);
                if (table.read(connection).isPresent()) {
                    // Another instance wrote the first marker while this one waited for the write lock.
                    statement.execute("ROLLBACK");
                    return report.of(CanaryState.FIRST_BOOT, Guidance.concurrentFirstBoot(database, lock.path()));
                }
                String token = UUID.randomUUID().toString();
                String at = now();
                table.insert(connection, new Marker(at, options.deployId().orElse(null), token, null, null));
                CrashPoint.reach(CrashPoint.MARKER_INSERTED);
                boolean lockWasPresent = lock.exists();
                if (!lockWasPresent) {
                    try {
                        lock.create(lockContent(database, at, token));
                    } catch (FileAlreadyExistsException e) {
                        lockWasPresent = true;
                    }
                }
                statement.execute("COMMIT");
                CrashPoint.reach(CrashPoint.COMMITTED);
                return lockWasPresent
                        ? report.of(CanaryState.DATABASE_NOT_KEPT, Guidance.databaseNotKept(database, lock.path(), true))
                        : report.of(CanaryState.FIRST_BOOT, Guidance.firstBoot(database, lock.path(), true));
            } catch (LockFile.UnusableException e) {
                statement.execute("ROLLBACK");
                return report.of(CanaryState.LOCK_UNUSABLE, Guidance.lockUnusable(database, e.getMessage()));
            } catch (MarkerTable.ForeignTableException e) {
                statement.execute("ROLLBACK");
                return report.of(CanaryState.DATABASE_UNUSABLE, Guidance.databaseUnusable(database,
                        explain(e, table)));
            }
        } catch (SQLException e) {
            // Closing the connection rolls back whatever was not committed.
            return report.of(CanaryState.DATABASE_UNUSABLE, Guidance.databaseUnusable(database, explain(e, table)));
        }
    }

    private Optional<Marker> readMarker(Path file, MarkerTable table)
            throws SQLException, MarkerTable.ForeignTableException {
        if (!Files.exists(file)) {
            return Optional.empty();
        }
        try (Connection connection = SqliteConnections.openForReading(file, options.busyTimeoutMillis())) {
            return table.read(connection);
        }
    }

    private static Optional<String> fileProblem(Path file) {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty(); // a first boot creates it
        } catch (IOException e) {
            return Optional.of("cannot read its attributes (" + e.getMessage() + ")");
        }
        if (attributes.isDirectory()) {
            return Optional.of("it is a directory, not a database file");
        }
        if (!attributes.isRegularFile()) {
            return Optional.of("it is not a regular file");
        }
        if (!Files.isReadable(file)) {
            return Optional.of("this process may not read it (permission denied)");
        }
        return Optional.empty();
    }

    private String explain(Exception e, MarkerTable table) {
        if (e instanceof MarkerTable.ForeignTableException) {
            return e.getMessage() + "; set " + CanaryOptions.TABLE + " to a name of the canary's own";
        }
        String text = String.valueOf(e.getMessage());
        if (text.contains("SQLITE_BUSY") || text.contains("database is locked")) {
            return "it stayed locked by another connection for longer than " + CanaryOptions.BUSY_TIMEOUT + "="
                    + options.busyTimeoutMillis() + " ms";
        }
        if (text.contains("SQLITE_NOTADB") || text.contains("not a database")) {
            return "it is not an SQLite database (file is not a database)";
        }
        if (text.contains("SQLITE_READONLY") || text.contains("readonly database")) {
            return "it is read-only, and the canary must write its marker table \"" + table.name()
                    + "\" into it on the first boot";
        }
        if (text.contains("SQLITE_FULL") || text.contains("disk is full")) {
            return "the disk is full (free space on the volume that holds it)";
        }
        if (text.contains("SQLITE_CANTOPEN") || text.contains("unable to open")) {
            return "SQLite cannot open it or create its journal beside it (check the permissions of the file "
                    + "and its directory)";
        }
        return text;
    }

    private static String lockContent(String database, String at, String token) {
        return "SQLite persistence canary lock\n"
                + "database: " + database + "\n"
                + "first boot: " + at + "\n"
                + "token: " + token + "\n"
                + "\n"
                + "This file must vanish with the next deploy (a wiped temporary directory); its absence, while\n"
                + "the database keeps its marker, proves the database is on persistent storage. Delete it by hand\n"
                + "only once you are confident of that.\n";
    }

    private static String now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    private static CanaryReport simple(CanaryState state, String database, String message) {
        return new CanaryReport(state, database, CanaryReport.NONE, "unknown", message, List.of(), null);
    }

    private static DataSource lookUpDataSource(String name) {
        try {
            Object found = new InitialContext().lookup(name);
            if (found instanceof DataSource dataSource) {
                return dataSource;
            }
            throw new IllegalArgumentException("it names a " + found.getClass().getName() + ", not a DataSource");
        } catch (NamingException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The details of one database's report, gathered while it is judged. */
    private static final class Report {
        final String database;
        final String lock;
        String filesystem;
        final List<String> warnings;

        Report(String database, String lock, String filesystem, List<String> warnings) {
            this.database = database;
            this.lock = lock;
            this.filesystem = filesystem;
            this.warnings = warnings;
        }

        Report withStorage(Storage storage) {
            filesystem = storage.filesystem();
            warnings.addAll(storage.warnings());
            return this;
        }

        CanaryReport of(CanaryState state, String message) {
            return new CanaryReport(state, database, lock, filesystem, message, warnings, null);
        }

        CanaryReport verified(Path file, String message) {
            return new CanaryReport(CanaryState.VERIFIED, database, lock, filesystem, message, warnings,
                    FileIdentity.of(file).orElse(null));
        }
    }
}
