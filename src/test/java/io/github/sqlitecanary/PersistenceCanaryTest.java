package io.github.sqlitecanary;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.internal.FileIdentity;
import io.github.sqlitecanary.internal.FileSystemProbe;
import io.github.sqlitecanary.internal.LocalSystem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.sqlite.SQLiteDataSource;

/** The state table of SPEC.md, one real SQLite file and one real lock directory per test. */
class PersistenceCanaryTest {

    @TempDir
    Path volume;

    @TempDir
    Path tmp;

    Path database() {
        return volume.resolve("app.db");
    }

    Path lockDir() {
        return tmp.resolve("canary");
    }

    CanaryOptions.Builder options() {
        return CanaryOptions.builder().database(database().toString()).lockDirectory(lockDir());
    }

    static CanaryReport only(List<CanaryReport> reports) {
        assertEquals(1, reports.size(), () -> "one report expected: " + reports);
        return reports.get(0);
    }

    CanaryReport check() {
        return check(options().build());
    }

    static CanaryReport check(CanaryOptions options) {
        return only(canary(options).check());
    }

    /**
     * A canary on no deploy platform: these tests act out redeploys inside one process, whose
     * container (if the build runs in one) would otherwise hold every redeploy back by its id.
     */
    static PersistenceCanary canary(CanaryOptions options) {
        return new PersistenceCanary(options, FileSystemProbe.ofThisMachine(), name -> {
            throw new IllegalArgumentException("no JNDI in this test");
        }, Path.of("").toAbsolutePath(), LocalSystem.ofThisMachine());
    }

    void wipeLockDirectory() throws IOException {
        try (Stream<Path> files = Files.walk(lockDir())) {
            files.sorted((a, b) -> b.compareTo(a)).forEach(path -> path.toFile().delete());
        }
        assertFalse(Files.exists(lockDir()));
    }

    @Nested
    class TheTwoDeployStory {

        @Test
        void firstBootIsDownAndWritesLockAndMarker() throws Exception {
            CanaryReport report = check();

            assertEquals(CanaryState.FIRST_BOOT, report.state());
            assertFalse(report.isUp());
            assertTrue(Files.exists(Path.of(report.lock())), "lock written");
            assertTrue(Path.of(report.lock()).startsWith(lockDir()), "lock inside the lock directory");
            assertEquals(1, SqliteFiles.markerRows(database()));
            assertTrue(report.message().contains("redeploy"), report.message());
            assertTrue(report.message().contains(report.lock()), report.message());
        }

        @Test
        void restartWithTheLockStillThereIsAwaitingRedeployAndNamesTheLockToDelete() throws Exception {
            check();
            byte[] before = Files.readAllBytes(database());

            CanaryReport report = check();

            assertEquals(CanaryState.AWAITING_REDEPLOY, report.state());
            assertFalse(report.isUp());
            assertTrue(report.message().contains("deleting " + report.lock() + " is safe"), report.message());
            assertArrayEquals(before, Files.readAllBytes(database()), "a restart writes nothing");
        }

        @Test
        void redeployThatWipedTheLockIsVerifiedAndRecordsIt() throws Exception {
            check();
            wipeLockDirectory();

            CanaryReport report = check();

            assertEquals(CanaryState.VERIFIED, report.state());
            assertTrue(report.isUp());
            assertEquals(List.of("1"), SqliteFiles.rows(database(),
                    "SELECT count(*) FROM persistence_canary WHERE verified_at IS NOT NULL"));
            assertFalse(Files.exists(lockDir()), "the verified path creates no lock directory");
        }

        @Test
        void verifiedDatabaseStaysVerifiedAndIsNeverWrittenAgainEvenWithALockPresent() throws Exception {
            check();
            wipeLockDirectory();
            check();
            // A stray lock (say, copied from elsewhere) does not matter once persistence was proven.
            Files.createDirectories(lockDir());
            Files.writeString(Path.of(check().lock()), "stray");
            byte[] before = Files.readAllBytes(database());
            long modified = Files.getLastModifiedTime(database()).toMillis();

            CanaryReport report = check();

            assertEquals(CanaryState.VERIFIED, report.state());
            assertArrayEquals(before, Files.readAllBytes(database()));
            assertEquals(modified, Files.getLastModifiedTime(database()).toMillis());
        }

        @Test
        void lostDatabaseWithTheLockKeptIsDatabaseNotKeptThenVerifiedAfterARealRedeploy() throws Exception {
            check();
            Files.delete(database());

            CanaryReport lost = check();

            assertEquals(CanaryState.DATABASE_NOT_KEPT, lost.state());
            assertFalse(lost.isUp());
            assertEquals(1, SqliteFiles.markerRows(database()), "marker written again");
            assertTrue(Files.exists(Path.of(lost.lock())), "lock kept");
            assertEquals(CanaryState.AWAITING_REDEPLOY, check().state());
            wipeLockDirectory();
            assertEquals(CanaryState.VERIFIED, check().state());
        }

        @Test
        void replacedDatabaseOnAnEphemeralDiskStartsOverAtFirstBoot() throws Exception {
            check();
            wipeLockDirectory();
            Files.delete(database());

            assertEquals(CanaryState.FIRST_BOOT, check().state());
        }

        @Test
        void userTablesAndPersistentSettingsAreUntouchedAcrossTheWholeStory() throws Exception {
            SqliteFiles.execute(database(),
                    "PRAGMA journal_mode = WAL",
                    "PRAGMA user_version = 7",
                    "PRAGMA application_id = 4242",
                    "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)",
                    "INSERT INTO notes (text) VALUES ('keep me'), ('and me')");
            String settings = "SELECT * FROM pragma_journal_mode, pragma_user_version, pragma_application_id, "
                    + "pragma_page_size";
            List<String> settingsBefore = SqliteFiles.rows(database(), settings);
            List<String> notesBefore = SqliteFiles.rows(database(), "SELECT * FROM notes ORDER BY id");

            check();
            check();
            wipeLockDirectory();
            check();

            assertEquals(notesBefore, SqliteFiles.rows(database(), "SELECT * FROM notes ORDER BY id"));
            assertEquals(settingsBefore, SqliteFiles.rows(database(), settings));
            assertEquals(List.of("notes", "persistence_canary"),
                    SqliteFiles.rows(database(), "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"));
        }
    }

    @Nested
    class DeployIdentifier {

        @Test
        void lockGoneButSameDeployIsARestartNotARedeploy() throws Exception {
            check(options().deployId("image-1").build());
            wipeLockDirectory();

            CanaryReport report = check(options().deployId("image-1").build());

            assertEquals(CanaryState.AWAITING_REDEPLOY, report.state());
            assertTrue(report.message().contains("a restart, not a redeploy"), report.message());
        }

        @Test
        void newDeployThatStillFindsTheLockSaysTheTemporaryDirectorySurvived() throws Exception {
            check(options().deployId("image-1").build());

            CanaryReport report = check(options().deployId("image-2").build());

            assertEquals(CanaryState.AWAITING_REDEPLOY, report.state());
            assertTrue(report.message().contains("survived it too"), report.message());
            assertTrue(report.message().contains(CanaryOptions.LOCK_DIR), report.message());
        }

        @Test
        void newDeployWithTheLockGoneIsVerified() throws Exception {
            check(options().deployId("image-1").build());
            wipeLockDirectory();

            assertEquals(CanaryState.VERIFIED, check(options().deployId("image-2").build()).state());
            assertEquals(List.of("image-1|image-2"), SqliteFiles.rows(database(),
                    "SELECT first_boot_deploy_id, verified_deploy_id FROM persistence_canary"));
        }
    }

    /** SPEC "DATABASE_LOST": with expect-verified, a missing marker is data loss, and nothing is written. */
    @Nested
    class DatabaseLost {

        CanaryOptions expectVerified() {
            return options().expectVerified(true).build();
        }

        @Test
        void checkOfADatabaseWithoutMarkerIsLostAndWritesNothing() throws Exception {
            SqliteFiles.execute(database(), "CREATE TABLE notes(id INTEGER PRIMARY KEY, text TEXT)",
                    "INSERT INTO notes(text) VALUES ('a new, empty database from a new volume')");
            byte[] before = Files.readAllBytes(database());

            CanaryReport report = check(expectVerified());

            assertEquals(CanaryState.DATABASE_LOST, report.state());
            assertFalse(report.isUp());
            assertTrue(report.message().contains("lost or replaced"), report.message());
            assertTrue(report.message().contains("mounted at " + volume.toRealPath()), report.message());
            assertTrue(report.message().contains(CanaryOptions.EXPECT_VERIFIED + "=false"), report.message());
            assertArrayEquals(before, Files.readAllBytes(database()), "the database was changed");
            assertEquals(List.of("app.db"), names(volume), "files were left beside the database");
            assertFalse(Files.exists(lockDir()), "a lock directory was created");
        }

        @Test
        void checkAndStatusOfAMissingDatabaseAreLostAndCreateNoFile() throws Exception {
            CanaryReport status = only(canary(expectVerified()).status());
            CanaryReport check = check(expectVerified());

            assertEquals(CanaryState.DATABASE_LOST, status.state());
            assertEquals(CanaryState.DATABASE_LOST, check.state());
            assertTrue(check.message().contains("does not exist"), check.message());
            assertTrue(check.message().contains("no new database file"), check.message());
            assertEquals(List.of(), names(volume), "the database or a file beside it was created");
            assertFalse(Files.exists(lockDir()), "a lock directory was created");
        }

        @Test
        void statusOfADatabaseWithoutMarkerIsLostAndChangesNothing() throws Exception {
            SqliteFiles.execute(database(), "CREATE TABLE notes(id INTEGER PRIMARY KEY)");
            byte[] before = Files.readAllBytes(database());

            CanaryReport report = only(canary(expectVerified()).status());

            assertEquals(CanaryState.DATABASE_LOST, report.state());
            assertArrayEquals(before, Files.readAllBytes(database()));
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void aLockLeftFromAnEarlierBootStillGivesLostNotNotKept() throws Exception {
            check();
            Files.delete(database());
            SqliteFiles.execute(database(), "CREATE TABLE notes(id INTEGER PRIMARY KEY)");

            CanaryReport report = check(expectVerified());

            assertEquals(CanaryState.DATABASE_LOST, report.state());
            assertEquals(0, SqliteFiles.markerRows(database()) , "a marker was written");
        }

        @Test
        void aVerifiedDatabaseStaysVerifiedAndTheVerifiedMessageStopsAskingForTheKey() throws Exception {
            check();
            wipeLockDirectory();
            CanaryReport firstVerified = check();

            CanaryReport report = check(expectVerified());

            assertEquals(CanaryState.VERIFIED, firstVerified.state());
            assertTrue(firstVerified.message().contains("Now set " + CanaryOptions.EXPECT_VERIFIED + "=true"),
                    firstVerified.message());
            assertEquals(CanaryState.VERIFIED, report.state());
            assertFalse(report.message().contains(CanaryOptions.EXPECT_VERIFIED), report.message());
        }

        private List<String> names(Path directory) throws IOException {
            try (Stream<Path> files = Files.list(directory)) {
                return files.map(p -> p.getFileName().toString()).sorted().toList();
            }
        }
    }

    @Nested
    class StatusReadsOnly {

        @Test
        void statusOfANewDatabaseIsFirstBootAndCreatesNeitherDatabaseNorLock() {
            CanaryReport report = only(canary(options().build()).status());

            assertEquals(CanaryState.FIRST_BOOT, report.state());
            assertTrue(report.message().contains("nothing was written"), report.message());
            assertFalse(Files.exists(database()));
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void statusAfterARedeployIsVerifiedWithoutRecordingIt() throws Exception {
            check();
            wipeLockDirectory();
            byte[] before = Files.readAllBytes(database());

            CanaryReport report = only(canary(options().build()).status());

            assertEquals(CanaryState.VERIFIED, report.state());
            assertArrayEquals(before, Files.readAllBytes(database()));
        }
    }

    /** SPEC "One database, one lock": whatever the spelling, one database has one lock. */
    @Nested
    class OneDatabaseOneLock {

        @Test
        void databaseReachedThroughASymlinkedDirectoryFindsTheFirstLockAndIsNotVerified() throws Exception {
            Path alias = Files.createSymbolicLink(tmp.resolve("alias"), volume);
            CanaryReport first = check();

            CanaryReport throughTheLink = check(CanaryOptions.builder().database(alias.resolve("app.db").toString())
                    .lockDirectory(lockDir()).build());

            assertEquals(CanaryState.FIRST_BOOT, first.state());
            assertEquals(CanaryState.AWAITING_REDEPLOY, throughTheLink.state(), throughTheLink::toString);
            assertEquals(first.lock(), throughTheLink.lock());
            assertEquals(List.of("|"), SqliteFiles.rows(database(),
                    "SELECT ifnull(verified_at, '') || '|' || '' FROM persistence_canary"), "a verification was recorded");
        }

        @Test
        void relativePathInASymlinkedWorkingDirectoryHasTheLockOfTheRealPath() throws Exception {
            Path linkedWorkingDirectory = Files.createSymbolicLink(tmp.resolve("cwd"), volume);
            CanaryReport first = check();

            CanaryReport relative = only(new PersistenceCanary(CanaryOptions.builder().database("app.db")
                    .lockDirectory(lockDir()).build(), FileSystemProbe.ofThisMachine(), name -> null,
                    linkedWorkingDirectory, LocalSystem.ofThisMachine()).check());

            assertEquals(CanaryState.AWAITING_REDEPLOY, relative.state(), relative::toString);
            assertEquals(first.lock(), relative.lock());
        }

        @Test
        void dotDotAndDotSpellingsShareTheLock() throws Exception {
            Files.createDirectory(volume.resolve("sub"));
            CanaryReport first = check();

            CanaryReport spelled = check(CanaryOptions.builder()
                    .database(volume.resolve("sub").resolve("..").resolve(".").resolve("app.db").toString())
                    .lockDirectory(lockDir()).build());

            assertEquals(CanaryState.AWAITING_REDEPLOY, spelled.state(), spelled::toString);
            assertEquals(first.lock(), spelled.lock());
        }

        @Test
        void symbolicLinkAsTheDatabaseFileSharesTheLockOfItsTarget() throws Exception {
            CanaryReport first = check();
            Path link = Files.createSymbolicLink(tmp.resolve("link.db"), database());

            CanaryReport throughTheLink = check(CanaryOptions.builder().database(link.toString())
                    .lockDirectory(lockDir()).build());

            assertEquals(CanaryState.AWAITING_REDEPLOY, throughTheLink.state(), throughTheLink::toString);
            assertEquals(first.lock(), throughTheLink.lock());
        }

        @Test
        void symbolicLinkToADatabaseNotCreatedYetBootsWhereItPointsWithTheLockOfTheTarget() throws Exception {
            Path target = volume.resolve("elsewhere.db");
            Files.createSymbolicLink(database(), target);

            CanaryReport throughTheLink = check();
            CanaryReport direct = check(CanaryOptions.builder().database(target.toString()).lockDirectory(lockDir())
                    .build());

            assertEquals(CanaryState.FIRST_BOOT, throughTheLink.state(), throughTheLink::toString);
            assertEquals(1, SqliteFiles.markerRows(target));
            assertEquals(CanaryState.AWAITING_REDEPLOY, direct.state(), direct::toString);
            assertEquals(throughTheLink.lock(), direct.lock());
        }

        @Test
        void loopOfSymbolicLinksAsTheDatabaseIsUnusableAndNothingIsCreated() throws Exception {
            Files.createSymbolicLink(database(), volume.resolve("b.db"));
            Files.createSymbolicLink(volume.resolve("b.db"), database());

            CanaryReport report = check();

            assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
            assertTrue(report.message().contains("symbolic link that leads nowhere"), report.message());
            assertFalse(Files.exists(lockDir()));
        }
    }

    /** {@code status} reports the state {@code check} reaches, and creates nothing. */
    @Nested
    class StatusPredictsCheck {

        @ParameterizedTest
        @ValueSource(strings = {
            "CREATE VIEW persistence_canary AS SELECT 1 AS id",
            "CREATE INDEX persistence_canary ON notes (body)",
            "CREATE TABLE persistence_canary (id INTEGER PRIMARY KEY, note TEXT)",
            "CREATE TRIGGER persistence_canary AFTER INSERT ON notes BEGIN SELECT 1; END",
            "CREATE TRIGGER notes_audit AFTER INSERT ON persistence_canary BEGIN DELETE FROM notes; END",
        })
        void objectOfAnotherKindWithTheMarkerTablesNameIsUnusableInStatusAndCheckAndUntouched(String sql)
                throws Exception {
            SqliteFiles.execute(database(), "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('mine')");
            if (sql.contains("ON persistence_canary")) {
                SqliteFiles.execute(database(), "CREATE TABLE persistence_canary (id INTEGER PRIMARY KEY CHECK (id = 1),"
                        + " first_boot_at TEXT NOT NULL, first_boot_deploy_id TEXT, lock_token TEXT NOT NULL,"
                        + " verified_at TEXT, verified_deploy_id TEXT)");
            }
            SqliteFiles.execute(database(), sql);
            byte[] before = Files.readAllBytes(database());

            CanaryReport status = only(canary(options().build()).status());
            CanaryReport check = check();

            assertEquals(CanaryState.DATABASE_UNUSABLE, status.state(), status::toString);
            assertEquals(CanaryState.DATABASE_UNUSABLE, check.state(), check::toString);
            assertTrue(check.message().contains("that the canary did not create"), check.message());
            assertFalse(check.message().contains("SQLITE_"), check.message());
            assertArrayEquals(before, Files.readAllBytes(database()));
            assertEquals(List.of("mine"), SqliteFiles.rows(database(), "SELECT body FROM notes"));
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void insteadOfTriggerOnAViewWithTheMarkerTablesNameNeverFires() throws Exception {
            SqliteFiles.execute(database(), "CREATE TABLE notes (body TEXT)", "INSERT INTO notes VALUES ('mine')",
                    "CREATE VIEW persistence_canary AS SELECT 1 AS id, '' AS first_boot_at, '' AS first_boot_deploy_id,"
                            + " '' AS lock_token, NULL AS verified_at, NULL AS verified_deploy_id",
                    "CREATE TRIGGER wipe INSTEAD OF INSERT ON persistence_canary BEGIN DELETE FROM notes; END");

            CanaryReport report = check();

            assertEquals(CanaryState.DATABASE_UNUSABLE, report.state(), report::toString);
            assertEquals(List.of("mine"), SqliteFiles.rows(database(), "SELECT body FROM notes"));
        }

        @Test
        void cleanlyClosedWalDatabaseGetsNoWalOrShmFileFromStatusOrAVerifiedCheck() throws Exception {
            SqliteFiles.execute(database(), "PRAGMA journal_mode = WAL", "CREATE TABLE notes (body TEXT)");
            check();
            wipeLockDirectory();
            assertEquals(CanaryState.VERIFIED, check().state());
            assertEquals(List.of("app.db"), names(volume));
            byte[] before = Files.readAllBytes(database());

            CanaryReport status = only(canary(options().build()).status());
            CanaryReport verified = check();

            assertEquals(CanaryState.VERIFIED, status.state());
            assertEquals(CanaryState.VERIFIED, verified.state());
            assertEquals(List.of("app.db"), names(volume), "files were left beside the database");
            assertArrayEquals(before, Files.readAllBytes(database()));
        }

        private List<String> names(Path directory) throws IOException {
            try (Stream<Path> files = Files.list(directory)) {
                return files.map(p -> p.getFileName().toString()).sorted().toList();
            }
        }
    }

    /** The switch wins; nothing thrown inside the canary fails a start. */
    @Nested
    class SwitchAndFailures {

        @Test
        void switchedOffCanaryIsDisabledEvenWithoutADatabaseOrWithAnotherBadValue() {
            CanaryReport noDatabase = check(CanaryOptions.builder().enabled(false).build());
            CanaryReport badValue = check(CanaryOptions.builder().enabled(false).set(CanaryOptions.BUSY_TIMEOUT, "soon")
                    .build());

            assertEquals(CanaryState.DISABLED, noDatabase.state());
            assertEquals(CanaryState.DISABLED, badValue.state());
            assertTrue(noDatabase.isUp());
        }

        @Test
        void unreadableSwitchIsMisconfiguredEvenWithAnotherBadValue() {
            CanaryReport report = check(CanaryOptions.builder().set(CanaryOptions.ENABLED, "nope").build());

            assertEquals(CanaryState.MISCONFIGURED, report.state());
            assertTrue(report.message().contains("sqlite.canary.enabled=\"nope\" must be true or false"));
        }

        @Test
        void errorThrownInsideTheCanaryIsADownReportWithItsCauseNotAnException() {
            NoClassDefFoundError missing = new NoClassDefFoundError("org/sqlite/SQLiteDataSource");
            CanaryOptions options = CanaryOptions.builder().set(CanaryOptions.DATASOURCE, "jdbc/notes")
                    .lockDirectory(lockDir()).build();

            CanaryReport report = only(new PersistenceCanary(options, FileSystemProbe.ofThisMachine(), name -> {
                throw missing;
            }, volume, LocalSystem.ofThisMachine()).check());

            assertFalse(report.isUp());
            assertSame(missing, report.internalError().orElseThrow());
            assertTrue(report.message().contains("NoClassDefFoundError: org/sqlite/SQLiteDataSource"), report.message());
            assertFalse(Files.exists(lockDir()));
        }
    }

    @Nested
    class FailSafeEdges {

        @Test
        void disabledCanaryReadsAndWritesNothing() {
            CanaryReport report = check(options().enabled(false).build());

            assertEquals(CanaryState.DISABLED, report.state());
            assertTrue(report.isUp());
            assertFalse(Files.exists(database()));
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void noDatabaseConfiguredIsMisconfigured() {
            CanaryReport report = check(CanaryOptions.builder().lockDirectory(lockDir()).build());

            assertEquals(CanaryState.MISCONFIGURED, report.state());
            assertTrue(report.message().contains(CanaryOptions.DATABASE), report.message());
        }

        @Test
        void unreadableEnabledFlagIsMisconfiguredRatherThanOff() {
            CanaryReport report = check(options().set(CanaryOptions.ENABLED, "maybe").build());

            assertEquals(CanaryState.MISCONFIGURED, report.state());
            assertTrue(report.message().contains("sqlite.canary.enabled=\"maybe\" must be true or false"),
                    report.message());
            assertFalse(Files.exists(database()));
        }

        @ParameterizedTest
        @ValueSource(strings = {":memory:", "jdbc:sqlite::memory:", "jdbc:sqlite:", "jdbc:sqlite:file::memory:?cache=shared",
            "jdbc:sqlite:file:app?mode=memory&cache=shared", "jdbc:sqlite::resource:db/app.db"})
        void inMemoryOrTemporaryDatabaseIsEphemeralDatabase(String database) {
            CanaryReport report = check(CanaryOptions.builder().database(database).lockDirectory(lockDir()).build());

            assertEquals(CanaryState.EPHEMERAL_DATABASE, report.state());
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void missingDirectoryIsVolumeMissingAndIsNeverCreated() {
            Path database = volume.resolve("not-mounted/app.db");

            CanaryReport report = check(CanaryOptions.builder().database(database.toString())
                    .lockDirectory(lockDir()).build());

            assertEquals(CanaryState.VOLUME_MISSING, report.state());
            assertTrue(report.message().contains(database.getParent().toString()), report.message());
            assertFalse(Files.exists(database.getParent()));
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void directoryInPlaceOfTheDatabaseIsDatabaseUnusable() throws Exception {
            Files.createDirectory(database());

            CanaryReport report = check();

            assertEquals(CanaryState.DATABASE_UNUSABLE, report.state());
            assertTrue(report.message().contains("is a directory"), report.message());
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void fileThatIsNotSqliteIsDatabaseUnusableAndUnchanged() throws Exception {
            byte[] notSqlite = "name,amount\nalice,3\n".repeat(100).getBytes();
            Files.write(database(), notSqlite);

            CanaryReport report = check();

            assertEquals(CanaryState.DATABASE_UNUSABLE, report.state());
            assertTrue(report.message().contains("not an SQLite database"), report.message());
            assertArrayEquals(notSqlite, Files.readAllBytes(database()));
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void userTableWithTheMarkerTablesNameIsNeverTouched() throws Exception {
            SqliteFiles.execute(database(), "CREATE TABLE persistence_canary (name TEXT)",
                    "INSERT INTO persistence_canary VALUES ('mine')");

            CanaryReport report = check();

            assertEquals(CanaryState.DATABASE_UNUSABLE, report.state());
            assertTrue(report.message().contains(CanaryOptions.TABLE), report.message());
            assertEquals(List.of("mine"), SqliteFiles.rows(database(), "SELECT * FROM persistence_canary"));
            assertFalse(Files.exists(lockDir()));
        }

        @Test
        void databaseLockedPastTheBusyTimeoutIsDatabaseUnusable() throws Exception {
            SqliteFiles.execute(database(), "CREATE TABLE notes (text TEXT)");
            try (Connection holder = SqliteFiles.open(database()); Statement statement = holder.createStatement()) {
                statement.execute("BEGIN EXCLUSIVE");
                statement.execute("INSERT INTO notes VALUES ('in flight')");

                CanaryReport report = check(options().busyTimeoutMillis(200).build());

                assertEquals(CanaryState.DATABASE_UNUSABLE, report.state());
                assertTrue(report.message().contains(CanaryOptions.BUSY_TIMEOUT + "=200 ms"), report.message());
                statement.execute("COMMIT");
            }
            assertEquals(List.of("in flight"), SqliteFiles.rows(database(), "SELECT * FROM notes"));
            assertEquals(0, SqliteFiles.markerRows(database()));
        }

        @Test
        void lockDirectoryThatIsAFileIsLockUnusableAndNoMarkerIsWrittenWithoutALock() throws Exception {
            Files.writeString(lockDir(), "not a directory");

            CanaryReport report = check();

            assertEquals(CanaryState.LOCK_UNUSABLE, report.state());
            assertTrue(report.message().contains("is not a directory"), report.message());
            assertEquals(0, SqliteFiles.markerRows(database()), "no marker without a lock");
        }

        @Test
        void lockDirectoryThatIsASymbolicLinkIsLockUnusable() throws Exception {
            Path real = Files.createDirectory(tmp.resolve("real"));
            Files.createSymbolicLink(lockDir(), real);

            CanaryReport report = check();

            assertEquals(CanaryState.LOCK_UNUSABLE, report.state());
            assertTrue(report.message().contains("symbolic link"), report.message());
            try (Stream<Path> inside = Files.list(real)) {
                assertEquals(0, inside.count(), "nothing written through the link");
            }
        }

        @Test
        void lockDirectoryIsCreatedForTheOwnerOnlyAndLockFileReadableByTheOwnerOnly() throws Exception {
            CanaryReport report = check();

            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(lockDir())));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(Path.of(report.lock()))));
        }
    }

    @Nested
    class RunTime {

        @Test
        void verifiedDatabaseDeletedUnderTheApplicationIsDatabaseVanished() throws Exception {
            check();
            wipeLockDirectory();
            CanaryReport verified = check();
            assertSame(verified, PersistenceCanary.recheck(verified), "unchanged while the file is there");

            Files.delete(database());
            CanaryReport report = PersistenceCanary.recheck(verified);

            assertEquals(CanaryState.DATABASE_VANISHED, report.state());
            assertTrue(report.message().contains("was deleted"), report.message());
        }

        @Test
        void verifiedDatabaseReplacedByAnotherFileIsDatabaseVanished() throws Exception {
            check();
            wipeLockDirectory();
            CanaryReport verified = check();
            Path copy = volume.resolve("copy.db");
            Files.copy(database(), copy);

            Files.move(copy, database(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            CanaryReport report = PersistenceCanary.recheck(verified);

            assertEquals(CanaryState.DATABASE_VANISHED, report.state());
            assertTrue(report.message().contains("was replaced"), report.message());
        }

        @Test
        void statThatFailsOnceIsAWarningNotAVanishedDatabase() {
            // A path the kernel refuses to look up (ENAMETOOLONG), as EIO or ESTALE on NFS would fail a stat.
            Path unreadable = Path.of("/" + "x".repeat(5000) + "/app.db");
            CanaryReport verified = new CanaryReport(CanaryState.VERIFIED, "/data/app.db", "-", "nfs4 on /data",
                    "verified", List.of(), new FileIdentity(unreadable, "a key"), null);

            CanaryReport report = PersistenceCanary.recheck(verified);

            assertEquals(CanaryState.VERIFIED, report.state());
            assertTrue(report.warnings().get(0).contains("could not be read just now"), report.warnings()::toString);
        }
    }

    @Nested
    class SeveralDatabases {

        @Test
        void eachDatabaseIsJudgedOnItsOwnWithItsOwnLock() throws Exception {
            Path second = Files.createDirectory(volume.resolve("other")).resolve("app.db");
            check(); // only the first database has seen a boot so far
            CanaryOptions both = options().database(second.toString()).build();

            List<CanaryReport> reports = new PersistenceCanary(both).check();

            assertEquals(List.of(CanaryState.AWAITING_REDEPLOY, CanaryState.FIRST_BOOT),
                    reports.stream().map(CanaryReport::state).toList());
            assertFalse(reports.get(0).lock().equals(reports.get(1).lock()), "same file name, separate locks");
        }
    }

    @Nested
    class UrlsAndDataSources {

        @Test
        void queryStringOfAJdbcUrlNeverAppearsInTheReport() {
            String url = "jdbc:sqlite:" + database() + "?password=hunter2&journal_mode=WAL";

            CanaryReport report = check(CanaryOptions.builder().database(url).lockDirectory(lockDir()).build());

            assertEquals(CanaryState.FIRST_BOOT, report.state());
            assertEquals("jdbc:sqlite:" + database() + "?…", report.database());
            assertFalse(report.toString().contains("hunter2"), report.toString());
            assertFalse(report.message().contains("hunter2"), report.message());
        }

        @Test
        void relativePathIsResolvedAgainstTheWorkingDirectoryWithAWarning() {
            CanaryOptions options = CanaryOptions.builder().database("app.db").lockDirectory(lockDir()).build();

            CanaryReport report = only(new PersistenceCanary(options, FileSystemProbe.ofThisMachine(),
                    name -> null, volume, LocalSystem.ofThisMachine()).check());

            assertEquals(CanaryState.FIRST_BOOT, report.state());
            assertTrue(Files.exists(database()));
            assertTrue(report.warnings().stream().anyMatch(w -> w.contains("relative")), report.warnings()::toString);
        }

        @Test
        void dataSourceIsJudgedByTheDatabaseItsUrlNames() throws Exception {
            SQLiteDataSource dataSource = new SQLiteDataSource();
            dataSource.setUrl("jdbc:sqlite:" + database());
            Map<String, DataSource> jndi = Map.of("java:comp/env/jdbc/notes", dataSource);
            CanaryOptions options = CanaryOptions.builder().set(CanaryOptions.DATASOURCE, "java:comp/env/jdbc/notes")
                    .lockDirectory(lockDir()).build();

            CanaryReport report = only(new PersistenceCanary(options, FileSystemProbe.ofThisMachine(),
                    name -> {
                        DataSource found = jndi.get(name);
                        if (found == null) {
                            throw new IllegalArgumentException("Name [" + name + "] is not bound in this Context");
                        }
                        return found;
                    }, volume, LocalSystem.ofThisMachine()).check());

            assertEquals(CanaryState.FIRST_BOOT, report.state());
            assertEquals("jdbc:sqlite:" + database() + " (DataSource java:comp/env/jdbc/notes)", report.database());
            assertEquals(1, SqliteFiles.markerRows(database()));
        }

        @Test
        void unknownDataSourceIsMisconfigured() {
            CanaryOptions options = CanaryOptions.builder().set(CanaryOptions.DATASOURCE, "jdbc/missing")
                    .lockDirectory(lockDir()).build();

            CanaryReport report = only(new PersistenceCanary(options).check());

            assertEquals(CanaryState.MISCONFIGURED, report.state());
            assertTrue(report.message().contains("jdbc/missing"), report.message());
            assertTrue(report.message().contains("set sqlite.canary.database to the database's path"),
                    "the way out on runtimes without JNDI DataSources: " + report.message());
            assertNotNull(report.database());
        }
    }
}
