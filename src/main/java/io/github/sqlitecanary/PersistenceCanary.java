package io.github.sqlitecanary;

import io.github.sqlitecanary.Verdict.Action;
import io.github.sqlitecanary.Verdict.Mode;
import io.github.sqlitecanary.internal.DatabaseLocation;
import io.github.sqlitecanary.internal.DeployPlatform;
import io.github.sqlitecanary.internal.FileIdentity;
import io.github.sqlitecanary.internal.FileSystemProbe;
import io.github.sqlitecanary.internal.FirstBootStep;
import io.github.sqlitecanary.internal.LockFile;
import io.github.sqlitecanary.internal.MarkerTable;
import io.github.sqlitecanary.internal.MarkerTable.Marker;
import io.github.sqlitecanary.internal.LocalSystem;
import io.github.sqlitecanary.internal.SqliteConnections;
import io.github.sqlitecanary.internal.SqliteErrors;
import io.github.sqlitecanary.internal.Storage;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
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
 * user data; the only thing it writes into a database is one row in a table of its own. Per
 * database it first gathers facts without writing, then {@link Verdict#decide} decides, and only
 * {@code check} then performs the one write the verdict needs, deciding again on what it finds
 * under SQLite's write lock. It never throws: whatever goes wrong becomes a DOWN report.
 */
public final class PersistenceCanary {

    private final CanaryOptions options;
    private final FileSystemProbe fileSystemProbe;
    private final Function<String, DataSource> dataSourceLookup;
    private final Path workingDirectory;
    private final LocalSystem localSystem;
    private final FirstBootStep.Listener steps;
    private final Optional<DeployPlatform> platform;

    /**
     * A canary for this process, on the deploy platform that its environment variables and files show.
     *
     * @param options the validated options
     */
    public PersistenceCanary(CanaryOptions options) {
        this(options, System::getenv);
    }

    /**
     * A canary that tells the deploy platform from these environment variables (and this
     * machine's {@code /.dockerenv}, {@code /run/.containerenv} and mount table), as a command
     * line that is given its environment does.
     *
     * @param options the validated options
     * @param environment environment variables by name, {@code null} where unset
     */
    public PersistenceCanary(CanaryOptions options, Function<String, String> environment) {
        this(options, FileSystemProbe.ofThisMachine(), PersistenceCanary::lookUpDataSource,
                Path.of("").toAbsolutePath(), LocalSystem.ofThisMachine(), FirstBootStep.Listener.NONE,
                platformOf(environment));
    }

    /** A canary on no recognised platform. */
    PersistenceCanary(CanaryOptions options, FileSystemProbe fileSystemProbe,
            Function<String, DataSource> dataSourceLookup, Path workingDirectory, LocalSystem localSystem) {
        this(options, fileSystemProbe, dataSourceLookup, workingDirectory, localSystem, FirstBootStep.Listener.NONE,
                Optional.empty());
    }

    /** @param steps told of each step of a first boot: the crash tests stop the process there */
    PersistenceCanary(CanaryOptions options, FileSystemProbe fileSystemProbe,
            Function<String, DataSource> dataSourceLookup, Path workingDirectory, LocalSystem localSystem,
            FirstBootStep.Listener steps) {
        this(options, fileSystemProbe, dataSourceLookup, workingDirectory, localSystem, steps, Optional.empty());
    }

    /** @param platform the deploy platform, as its signals were given */
    PersistenceCanary(CanaryOptions options, FileSystemProbe fileSystemProbe,
            Function<String, DataSource> dataSourceLookup, Path workingDirectory, LocalSystem localSystem,
            Optional<DeployPlatform> platform) {
        this(options, fileSystemProbe, dataSourceLookup, workingDirectory, localSystem, FirstBootStep.Listener.NONE,
                platform);
    }

    private PersistenceCanary(CanaryOptions options, FileSystemProbe fileSystemProbe,
            Function<String, DataSource> dataSourceLookup, Path workingDirectory, LocalSystem localSystem,
            FirstBootStep.Listener steps, Optional<DeployPlatform> platform) {
        this.steps = steps;
        this.options = options;
        this.fileSystemProbe = fileSystemProbe;
        this.dataSourceLookup = dataSourceLookup;
        this.workingDirectory = workingDirectory;
        this.localSystem = localSystem;
        this.platform = platform;
    }

    private static Optional<DeployPlatform> platformOf(Function<String, String> environment) {
        try {
            return DeployPlatform.ofThisMachine(environment);
        } catch (RuntimeException e) {
            // Knowing the platform only improves the guidance; never let it stop the canary.
            return Optional.empty();
        }
    }

    /** {@return the options this canary runs with} */
    public CanaryOptions options() {
        return options;
    }

    /**
     * Runs the canary as the application's start does: may write the lock and the marker, and
     * lets SQLite recover a hot journal that a crash left, as any connection would.
     *
     * @return one report per database (a single report when disabled or misconfigured)
     */
    public List<CanaryReport> check() {
        return judgeAll(Mode.CHECK);
    }

    /**
     * Reports the state {@link #check()} would reach, reading only: creates no database, lock,
     * marker or any file beside the database, and changes nothing.
     *
     * @return one report per database (a single report when disabled or misconfigured)
     */
    public List<CanaryReport> status() {
        return judgeAll(Mode.STATUS);
    }

    /**
     * The run-time re-check of a report: one {@code stat} of a verified database file. Returns the
     * report unchanged unless the file was deleted or replaced ({@link CanaryState#DATABASE_VANISHED});
     * a {@code stat} that fails (EIO, ESTALE) only adds a warning.
     *
     * @param report a report of {@link #check()}
     * @return the report, or a {@link CanaryState#DATABASE_VANISHED} report in its place
     */
    public static CanaryReport recheck(CanaryReport report) {
        FileIdentity verified = report.verifiedFile();
        if (verified == null) {
            return report;
        }
        FileIdentity.Change change = verified.change();
        switch (change) {
            case SAME:
                return report;
            case UNREADABLE:
                return report.withWarning("the database file could not be read just now to check that it is "
                        + "still there; the verdict stands until it can be");
            default:
                return report.withState(CanaryState.DATABASE_VANISHED, Guidance.vanished(report.database(), change));
        }
    }

    private List<CanaryReport> judgeAll(Mode mode) {
        // The switch wins over every other value; only a switch that cannot be read is not obeyed.
        if (!options.enabled()) {
            return List.of(simple(CanaryState.DISABLED, CanaryReport.NONE, Guidance.disabled()));
        }
        if (!options.problems().isEmpty()) {
            String configured = String.join(",", options.databases().stream()
                    .map(DatabaseLocation::withoutQuery).toList());
            return List.of(simple(CanaryState.MISCONFIGURED, configured.isEmpty() ? CanaryReport.NONE : configured,
                    Guidance.misconfigured(options.problems())));
        }
        LiveFacts.Context context = new LiveFacts.Context(options, fileSystemProbe, localSystem, workingDirectory,
                mode == Mode.CHECK ? SqliteConnections.Recovery.IN_PLACE : SqliteConnections.Recovery.PRIVATE_COPY,
                platform);
        List<CanaryReport> reports = new ArrayList<>();
        for (String database : options.databases()) {
            reports.add(judge(database, () -> LiveFacts.ofConfigured(context, database), mode));
        }
        for (String name : options.dataSources()) {
            reports.add(judge(name, () -> LiveFacts.ofDataSource(context, name, dataSourceLookup), mode));
        }
        return List.copyOf(reports);
    }

    private interface FactsSource {
        LiveFacts read();
    }

    private CanaryReport judge(String configured, FactsSource source, Mode mode) {
        try {
            LiveFacts facts = source.read();
            Verdict verdict = Verdict.decide(facts, options, mode);
            if (mode == Mode.STATUS || verdict.action() == Action.NONE) {
                return report(facts, verdict, List.of());
            }
            return verdict.action() == Action.WRITE_FIRST_MARKER ? writeFirstMarker(facts)
                    : recordVerification(facts, verdict);
        } catch (RuntimeException | LinkageError | AssertionError e) {
            // A defect, or an environment the canary did not foresee: DOWN, never a failed deployment.
            String shown = DatabaseLocation.withoutQuery(configured);
            return new CanaryReport(CanaryState.DATABASE_UNUSABLE, shown, CanaryReport.NONE, "unknown",
                    Guidance.internalError(shown, e), List.of(), null, e);
        }
    }

    /**
     * The first-boot write, fail-safe by its order: inside a {@code BEGIN IMMEDIATE} transaction
     * (so concurrent instances queue up and agree on one row) the facts that may have changed,
     * marker and lock, are read again and decided again; the marker row is inserted, the lock is
     * created and forced to disk, and only then is the marker committed.
     */
    private CanaryReport writeFirstMarker(LiveFacts facts) {
        String database = facts.database();
        LockFile lock = facts.lockFile();
        try {
            // Before the database is opened for writing: an unusable lock leaves no empty database behind.
            lock.ensureDirectory();
        } catch (LockFile.UnusableException e) {
            return report(facts, new Verdict(CanaryState.LOCK_UNUSABLE, Guidance.lockUnusable(database,
                    e.getMessage()), Action.NONE), List.of());
        }
        MarkerTable table = new MarkerTable(options.table());
        try (Connection connection = SqliteConnections.openForWriting(facts.file(), options.busyTimeoutMillis());
                Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            steps.reached(FirstBootStep.TRANSACTION_BEGUN);
            DatabaseFacts.MarkerRead marker;
            try {
                marker = DatabaseFacts.MarkerRead.found(table.read(connection));
            } catch (MarkerTable.ForeignTableException e) {
                marker = DatabaseFacts.MarkerRead.unreadable(e.getMessage() + "; set " + CanaryOptions.TABLE
                        + " to a name of the canary's own");
            }
            if (marker.marker().isPresent()) {
                // Another instance wrote the first marker while this one waited for the write lock.
                statement.execute("ROLLBACK");
                return report(facts, new Verdict(CanaryState.FIRST_BOOT, Guidance.concurrentFirstBoot(database,
                        facts.lockPath()), Action.NONE), List.of());
            }
            facts.readAgainUnderWriteLock(marker, readLock(lock));
            Verdict again = Verdict.decide(facts, options, Mode.CHECK);
            if (again.action() != Action.WRITE_FIRST_MARKER) {
                statement.execute("ROLLBACK");
                return report(facts, again, List.of());
            }
            table.create(connection);
            String at = now();
            String token = UUID.randomUUID().toString();
            table.insert(connection, new Marker(at, facts.deployId().orElse(null), token, null, null));
            steps.reached(FirstBootStep.MARKER_INSERTED);
            if (again.state() == CanaryState.FIRST_BOOT) {
                try {
                    lock.create(lockContent(database, at, token), steps);
                } catch (FileAlreadyExistsException e) {
                    // A lock appeared since it was read: an earlier boot's, as far as this one can tell.
                    again = new Verdict(CanaryState.DATABASE_NOT_KEPT, Guidance.databaseNotKept(database,
                            facts.lockPath(), true), Action.WRITE_FIRST_MARKER);
                } catch (LockFile.UnusableException e) {
                    statement.execute("ROLLBACK");
                    return report(facts, new Verdict(CanaryState.LOCK_UNUSABLE, Guidance.lockUnusable(database,
                            e.getMessage()), Action.NONE), List.of());
                }
            }
            statement.execute("COMMIT");
            steps.reached(FirstBootStep.COMMITTED);
            return report(facts, again, List.of());
        } catch (SQLException e) {
            // Closing the connection rolls back whatever was not committed.
            return report(facts, new Verdict(CanaryState.DATABASE_UNUSABLE, Guidance.databaseUnusable(database,
                    SqliteErrors.describe(e, options.busyTimeoutMillis(), options.table())), Action.NONE), List.of());
        }
    }

    private static DatabaseFacts.LockRead readLock(LockFile lock) {
        try {
            return DatabaseFacts.LockRead.of(lock.presence() == LockFile.Presence.PRESENT);
        } catch (LockFile.UnusableException e) {
            return DatabaseFacts.LockRead.unusable(e.getMessage());
        }
    }

    /** Persistence was proven: record it once, so that later starts take the quiet, read-only path. */
    private CanaryReport recordVerification(LiveFacts facts, Verdict verdict) {
        try (Connection connection = SqliteConnections.openForWriting(facts.file(), options.busyTimeoutMillis());
                Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            new MarkerTable(options.table()).markVerified(connection, now(), facts.deployId().orElse(null));
            statement.execute("COMMIT");
            return report(facts, verdict, List.of());
        } catch (SQLException e) {
            // Persistence is proven either way; only the record of it failed, so the next start checks again.
            return report(facts, verdict, List.of("the verification could not be recorded in the marker ("
                    + SqliteErrors.describe(e, options.busyTimeoutMillis(), options.table())
                    + "); the next start checks the lock again"));
        }
    }

    private CanaryReport report(LiveFacts facts, Verdict verdict, List<String> moreWarnings) {
        List<String> warnings = new ArrayList<>(facts.locationWarnings());
        Optional<Storage> storage = facts.storageIfExamined();
        storage.ifPresent(s -> warnings.addAll(s.warnings()));
        storage.flatMap(Storage::neverPersists).filter(finding -> !options.filesystemCheck()).ifPresent(finding ->
                // Switched off, the judgement still informs: the redeploy test decides instead.
                warnings.add(finding.kind() + " not judged (" + CanaryOptions.FILESYSTEM_CHECK + "=false): "
                        + finding.message()));
        warnings.addAll(moreWarnings);
        boolean file = facts.file() != null;
        Path directory = file ? facts.file().getParent() : null;
        if (!options.filesystemCheck() && file && platform.filter(p -> p.keepsNothingIn(directory)).isPresent()) {
            warnings.add(CanaryState.EPHEMERAL_FILESYSTEM + " not judged (" + CanaryOptions.FILESYSTEM_CHECK
                    + "=false): " + Guidance.platformKeepsNothing(facts.database(), directory, platform.get()));
        }
        String message = verdict.message();
        if (!verdict.state().isUp() && verdict.state() != CanaryState.MISCONFIGURED && platform.isPresent()) {
            // Every DOWN verdict about the database ends with the fix in the platform's own terms; a
            // value that cannot be used (a DataSource that cannot be looked up) is not about storage.
            message = message + " " + Guidance.platformFix(platform.get(), directory);
        }
        String deployId = facts.deployIdentity().map(id -> id.value() + " (" + id.source() + ")")
                .orElse(CanaryReport.NONE);
        return new CanaryReport(verdict.state(), facts.database(), file ? facts.lockPath().toString() : CanaryReport.NONE,
                storage.map(Storage::filesystem).orElse("unknown"), message, warnings,
                verdict.state() == CanaryState.VERIFIED ? FileIdentity.of(facts.file()).orElse(null) : null, null,
                platform.map(p -> p.kind().title()).orElse(CanaryReport.NO_PLATFORM), deployId);
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
        return new CanaryReport(state, database, CanaryReport.NONE, "unknown", message, List.of(), null, null);
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
}
