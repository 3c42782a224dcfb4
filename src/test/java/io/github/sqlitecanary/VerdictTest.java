package io.github.sqlitecanary;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.github.sqlitecanary.DatabaseFacts.Directory;
import io.github.sqlitecanary.DatabaseFacts.LockRead;
import io.github.sqlitecanary.DatabaseFacts.MarkerRead;
import io.github.sqlitecanary.Verdict.Action;
import io.github.sqlitecanary.Verdict.Mode;
import io.github.sqlitecanary.internal.DatabaseFile;
import io.github.sqlitecanary.internal.DeployPlatform;
import io.github.sqlitecanary.internal.MarkerTable.Marker;
import io.github.sqlitecanary.internal.Storage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * SPEC.md's state table as one parameterised test of the one function that decides it: each row
 * changes one fact of a plain first boot. {@code status} and {@code check} reach the same state,
 * and only {@code check}'s verdicts carry a write.
 */
class VerdictTest {

    private static final Marker UNVERIFIED = new Marker("2026-11-24T10:00:00Z", "deploy-1", "token", null, null);
    private static final Marker VERIFIED = new Marker("2026-11-24T10:00:00Z", "deploy-1", "token",
            "2026-11-24T11:00:00Z", "deploy-2");

    static Stream<Arguments> stateTable() {
        return Stream.of(
                row("no facts changed: a first boot", f -> { }, CanaryState.FIRST_BOOT, Action.WRITE_FIRST_MARKER),
                row("a value names no database", f -> f.configurationProblem = "unusable path",
                        CanaryState.MISCONFIGURED, Action.NONE),
                row("the DataSource gives no connection", f -> f.dataSourceProblem = "refused",
                        CanaryState.DATABASE_UNUSABLE, Action.NONE),
                row("in memory", f -> f.ephemeralReason = ":memory:", CanaryState.EPHEMERAL_DATABASE, Action.NONE),
                row("the volume is not mounted", f -> f.directory = Directory.MISSING, CanaryState.VOLUME_MISSING,
                        Action.NONE),
                row("the directory is a file", f -> f.directory = Directory.NOT_A_DIRECTORY,
                        CanaryState.DATABASE_UNUSABLE, Action.NONE),
                row("tmpfs", f -> f.storage = never(Storage.Kind.EPHEMERAL_FILESYSTEM),
                        CanaryState.EPHEMERAL_FILESYSTEM, Action.NONE),
                row("tmpfs with filesystem-check=false", f -> {
                    f.storage = never(Storage.Kind.EPHEMERAL_FILESYSTEM);
                    f.filesystemCheck = false;
                }, CanaryState.FIRST_BOOT, Action.WRITE_FIRST_MARKER),
                row("the file alone is bind-mounted", f -> f.storage = never(Storage.Kind.SINGLE_FILE_MOUNT),
                        CanaryState.SINGLE_FILE_MOUNT, Action.NONE),
                row("not an SQLite file", f -> f.file = new DatabaseFile(DatabaseFile.Kind.UNUSABLE, "garbage"),
                        CanaryState.DATABASE_UNUSABLE, Action.NONE),
                row("the native library cannot load", f -> f.sqliteProblem = "noexec",
                        CanaryState.DATABASE_UNUSABLE, Action.NONE),
                row("a view holds the marker table's name", f -> f.marker = MarkerRead.unreadable("a view"),
                        CanaryState.DATABASE_UNUSABLE, Action.NONE),
                row("verified before", f -> f.marker = MarkerRead.found(Optional.of(VERIFIED)), CanaryState.VERIFIED,
                        Action.NONE),
                row("verified before, lock directory unusable", f -> {
                    f.marker = MarkerRead.found(Optional.of(VERIFIED));
                    f.lock = LockRead.unusable("a link");
                }, CanaryState.VERIFIED, Action.NONE),
                row("the lock directory is a link", f -> f.lock = LockRead.unusable("a link"),
                        CanaryState.LOCK_UNUSABLE, Action.NONE),
                row("marker and lock: a restart", f -> {
                    f.marker = MarkerRead.found(Optional.of(UNVERIFIED));
                    f.lock = LockRead.of(true);
                }, CanaryState.AWAITING_REDEPLOY, Action.NONE),
                row("marker, lock gone, same deploy id", f -> {
                    f.marker = MarkerRead.found(Optional.of(UNVERIFIED));
                    f.deployId = "deploy-1";
                }, CanaryState.AWAITING_REDEPLOY, Action.NONE),
                row("marker, lock gone: a redeploy", f -> f.marker = MarkerRead.found(Optional.of(UNVERIFIED)),
                        CanaryState.VERIFIED, Action.RECORD_VERIFICATION),
                row("marker, lock gone, new deploy id", f -> {
                    f.marker = MarkerRead.found(Optional.of(UNVERIFIED));
                    f.deployId = "deploy-2";
                }, CanaryState.VERIFIED, Action.RECORD_VERIFICATION),
                row("read-only database", f -> f.markerWriteProblem = "read-only", CanaryState.DATABASE_UNUSABLE,
                        Action.NONE),
                row("lock directory cannot be made", f -> f.lockCreationProblem = "read-only",
                        CanaryState.LOCK_UNUSABLE, Action.NONE),
                row("no marker but a lock", f -> f.lock = LockRead.of(true), CanaryState.DATABASE_NOT_KEPT,
                        Action.WRITE_FIRST_MARKER),
                row("a Heroku dyno", f -> f.platform = platform(Map.of("DYNO", "web.1")),
                        CanaryState.EPHEMERAL_FILESYSTEM, Action.NONE),
                row("a Heroku dyno with filesystem-check=false", f -> {
                    f.platform = platform(Map.of("DYNO", "web.1"));
                    f.filesystemCheck = false;
                }, CanaryState.FIRST_BOOT, Action.WRITE_FIRST_MARKER),
                row("Cloud Run without a volume mount", f -> f.platform = platform(Map.of("K_SERVICE", "notes")),
                        CanaryState.EPHEMERAL_FILESYSTEM, Action.NONE),
                row("Cloud Run, the volume is not mounted", f -> {
                    f.platform = platform(Map.of("K_SERVICE", "notes"));
                    f.directory = Directory.MISSING;
                }, CanaryState.VOLUME_MISSING, Action.NONE),
                row("Fly.io: judged like anywhere else", f -> f.platform = platform(Map.of("FLY_APP_NAME", "notes")),
                        CanaryState.FIRST_BOOT, Action.WRITE_FIRST_MARKER),
                row("expect-verified, the database file is missing", f -> f.expectVerified = true,
                        CanaryState.DATABASE_LOST, Action.NONE),
                row("expect-verified, a database without a marker", f -> {
                    f.expectVerified = true;
                    f.file = new DatabaseFile(DatabaseFile.Kind.ROLLBACK_JOURNAL, null);
                }, CanaryState.DATABASE_LOST, Action.NONE),
                row("expect-verified, no marker but a lock", f -> {
                    f.expectVerified = true;
                    f.file = new DatabaseFile(DatabaseFile.Kind.WAL, null);
                    f.lock = LockRead.of(true);
                }, CanaryState.DATABASE_LOST, Action.NONE),
                row("expect-verified, the volume is not mounted", f -> {
                    f.expectVerified = true;
                    f.directory = Directory.MISSING;
                }, CanaryState.VOLUME_MISSING, Action.NONE),
                row("expect-verified, verified before", f -> {
                    f.expectVerified = true;
                    f.file = new DatabaseFile(DatabaseFile.Kind.ROLLBACK_JOURNAL, null);
                    f.marker = MarkerRead.found(Optional.of(VERIFIED));
                }, CanaryState.VERIFIED, Action.NONE),
                row("expect-verified, marker, lock gone: a redeploy", f -> {
                    f.expectVerified = true;
                    f.file = new DatabaseFile(DatabaseFile.Kind.ROLLBACK_JOURNAL, null);
                    f.marker = MarkerRead.found(Optional.of(UNVERIFIED));
                }, CanaryState.VERIFIED, Action.RECORD_VERIFICATION));
    }

    private static Arguments row(String facts, Consumer<FixedFacts> change, CanaryState state, Action action) {
        return Arguments.of(facts, change, state, action);
    }

    @ParameterizedTest(name = "{0}: {2}")
    @MethodSource("stateTable")
    void stateTableRowDecidesOneStateForStatusAndCheck(String name, Consumer<FixedFacts> change, CanaryState state,
            Action action) {
        FixedFacts facts = new FixedFacts();
        change.accept(facts);

        Verdict check = Verdict.decide(facts, facts.options(), Mode.CHECK);
        Verdict status = Verdict.decide(facts, facts.options(), Mode.STATUS);

        assertEquals(state, check.state(), check::message);
        assertEquals(state, status.state(), status::message);
        assertEquals(action, check.action());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stateTable")
    void storageThatNeverPersistsAndAMissingVolumeAreJudgedWithoutOpeningTheDatabase(String name,
            Consumer<FixedFacts> change, CanaryState state, Action action) {
        FixedFacts facts = new FixedFacts();
        change.accept(facts);

        Verdict.decide(facts, facts.options(), Mode.CHECK);

        if (state == CanaryState.EPHEMERAL_FILESYSTEM && facts.platform != null) {
            assertFalse(facts.asked.contains("storage"), "the storage was examined for a platform that keeps nothing");
        }
        if (state == CanaryState.VOLUME_MISSING || state == CanaryState.EPHEMERAL_FILESYSTEM
                || state == CanaryState.SINGLE_FILE_MOUNT || state == CanaryState.EPHEMERAL_DATABASE) {
            assertFalse(facts.asked.contains("marker"), "the marker was read for " + state);
            assertFalse(facts.asked.contains("lock"), "the lock was read for " + state);
        }
        if (state == CanaryState.DATABASE_LOST) {
            assertFalse(facts.asked.contains("lock"), "the lock was read for " + state);
        }
    }

    private static DeployPlatform platform(Map<String, String> environment) {
        return DeployPlatform.detect(environment::get, path -> false, Optional.empty()).orElseThrow();
    }

    private static Storage never(Storage.Kind kind) {
        return new Storage("tmpfs on /data", Optional.of(new Storage.Finding(kind, "never persists")), List.of());
    }

    /** The facts of a plain first boot, each replaceable, recording which were asked for. */
    static final class FixedFacts implements DatabaseFacts {
        String configurationProblem;
        String dataSourceProblem;
        String ephemeralReason;
        Directory directory = Directory.PRESENT;
        Storage storage = new Storage("ext4 on /data", Optional.empty(), List.of());
        DatabaseFile file = new DatabaseFile(DatabaseFile.Kind.ABSENT, null);
        String sqliteProblem;
        MarkerRead marker = MarkerRead.found(Optional.empty());
        LockRead lock = LockRead.of(false);
        String markerWriteProblem;
        String lockCreationProblem;
        String deployId;
        boolean filesystemCheck = true;
        boolean expectVerified;
        DeployPlatform platform;
        final Set<String> asked = new HashSet<>();

        CanaryOptions options() {
            return CanaryOptions.builder().database("/data/app.db").filesystemCheck(filesystemCheck)
                    .expectVerified(expectVerified).build();
        }

        @Override
        public String database() {
            return "/data/app.db";
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
            return Path.of("/data/app.db");
        }

        @Override
        public Directory directory() {
            return directory;
        }

        @Override
        public Storage storage() {
            asked.add("storage");
            return storage;
        }

        @Override
        public DatabaseFile databaseFile() {
            return file;
        }

        @Override
        public Optional<String> sqliteProblem() {
            return Optional.ofNullable(sqliteProblem);
        }

        @Override
        public MarkerRead marker() {
            asked.add("marker");
            return marker;
        }

        @Override
        public LockRead lock() {
            asked.add("lock");
            return lock;
        }

        @Override
        public Path lockPath() {
            return Path.of("/tmp/sqlite-persistence-canary/app.db-0123456789ab.lock");
        }

        @Override
        public Optional<String> markerWriteProblem() {
            return Optional.ofNullable(markerWriteProblem);
        }

        @Override
        public Optional<String> lockCreationProblem() {
            return Optional.ofNullable(lockCreationProblem);
        }

        @Override
        public Optional<String> deployId() {
            return Optional.ofNullable(deployId);
        }

        @Override
        public Optional<DeployPlatform> platform() {
            return Optional.ofNullable(platform);
        }

        @Override
        public List<String> locationWarnings() {
            return List.of();
        }
    }
}
