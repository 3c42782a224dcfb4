package io.github.sqlitecanary.faults;

import static io.github.sqlitecanary.faults.ConcurrencyTest.assertNoInternals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.CanaryOptions;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.CanaryState;
import io.github.sqlitecanary.PersistenceCanary;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Configuration a user gets wrong or a JDBC URL that carries secrets: a named state, the user's own
 * key, value and rule in the message, no secret anywhere in the output, nothing changed.
 */
class HostileConfigurationTest {

    private static final String SECRET = "hunter2";

    @TempDir
    Path root;
    Path database;
    Path locks;

    @BeforeEach
    void layout() throws Exception {
        database = Files.createDirectories(root.resolve("data")).resolve("app.db");
        locks = root.resolve("locks");
    }

    private CanaryOptions options(Map<String, String> config) {
        Map<String, String> all = new HashMap<>(Map.of(CanaryOptions.LOCK_DIR, locks.toString(),
                CanaryOptions.FILESYSTEM_CHECK, "false"));
        all.putIfAbsent(CanaryOptions.DATABASE, database.toString());
        all.putAll(config);
        return CanaryOptions.fromConfig(key -> Optional.ofNullable(all.get(key)));
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(delimiter = '|', value = {
        "sqlite.canary.enabled          | maybe               | must be true or false",
        "sqlite.canary.filesystem-check | yes                 | must be true or false",
        "sqlite.canary.busy-timeout     | -1                  | must be a whole number of milliseconds",
        "sqlite.canary.busy-timeout     | 5s                  | must be a whole number of milliseconds",
        "sqlite.canary.on-failure       | crash               | must be one of readiness, fail-startup, log",
        "sqlite.canary.table            | x; DROP TABLE notes | must be a plain SQL identifier",
        "sqlite.canary.table            | sqlite_master       | must be a plain SQL identifier",
        "sqlite.canary.table            | \"notes\"           | must be a plain SQL identifier",
    })
    void invalidValueIsMisconfiguredWithKeyValueAndRuleAndChangesNothing(String key, String value, String rule)
            throws Exception {
        UserDatabase.create(database, "delete");
        String bytes = UserDatabase.fileBytes(database);
        PersistenceCanary canary = new PersistenceCanary(options(Map.of(key, value)));

        for (CanaryReport report : List.of(canary.check().get(0), canary.status().get(0))) {
            assertEquals(CanaryState.MISCONFIGURED, report.state(), report::toString);
            assertFalse(report.isUp());
            assertTrue(report.message().contains(key + "=\"" + value + "\" " + rule), report::message);
        }
        assertEquals(bytes, UserDatabase.fileBytes(database));
        assertFalse(Files.exists(locks), "the lock directory was created");
    }

    // --- JDBC URLs that carry secrets in their query string ---

    @Test
    void queryParametersOfAJdbcUrlNeverAppearInAnyReportAndDoNotChangeTheJournalMode() throws Exception {
        UserDatabase.create(database, "delete");
        String userData = UserDatabase.fingerprint(database);
        String url = "jdbc:sqlite:" + database + "?password=" + SECRET + "&journal_mode=WAL";
        PersistenceCanary canary = new PersistenceCanary(options(Map.of(CanaryOptions.DATABASE, url)));

        CanaryReport first = canary.check().get(0);
        assertEquals(CanaryState.FIRST_BOOT, first.state(), first::toString);
        assertEquals("jdbc:sqlite:" + database + "?…", first.database());
        assertNoSecret(first);
        assertNoSecret(canary.status().get(0));
        CrashConsistencyTest.deleteTree(locks);
        CanaryReport verified = canary.check().get(0);
        assertEquals(CanaryState.VERIFIED, verified.state(), verified::toString);
        assertNoSecret(verified);

        assertEquals("delete", UserDatabase.journalMode(database));
        assertEquals(userData, UserDatabase.fingerprint(database));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"check", "status"})
    void queryParametersOfAJdbcUrlNeverAppearInTheCommandLinesTextOrJson(String command) throws Exception {
        UserDatabase.create(database, "delete");
        String url = "jdbc:sqlite:" + database + "?password=" + SECRET + "&journal_mode=WAL";
        for (boolean json : List.of(false, true)) {
            List<String> args = new java.util.ArrayList<>(List.of(command, "--database", url, "--lock-dir",
                    locks.toString(), "--no-filesystem-check"));
            if (json) {
                args.add("--json");
            }

            ChildJvm.Result result = ChildJvm.run(ChildJvm.canaryCommand(List.of(), args), root.resolve("scratch"));

            assertEquals(1, result.exitCode(), result::toString);
            assertTrue(result.stdout().contains("jdbc:sqlite:" + database + "?…"), result::stdout);
            assertFalse(result.output().contains(SECRET), result::output);
            assertFalse(result.output().contains("journal_mode"), result::output);
        }
        assertEquals("delete", UserDatabase.journalMode(database));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "jdbc:sqlite::memory:?password=hunter2, EPHEMERAL_DATABASE",
        "jdbc:sqlite:file:/data/app.db?mode=memory&password=hunter2, EPHEMERAL_DATABASE",
        "jdbc:sqlite:?password=hunter2, EPHEMERAL_DATABASE",
        "jdbc:sqlite:file://db.example.invalid/data/app.db?password=hunter2, MISCONFIGURED",
    })
    void queryParametersNeverAppearWhenTheUrlItselfIsRejected(String url, CanaryState expected) {
        CanaryReport report = new PersistenceCanary(options(Map.of(CanaryOptions.DATABASE, url))).check().get(0);

        assertEquals(expected, report.state(), report::toString);
        assertNoSecret(report);
    }

    @Test
    void queryParametersNeverAppearWhenAnotherSettingIsMisconfigured() {
        String url = "jdbc:sqlite:" + database + "?password=" + SECRET;
        CanaryReport report = new PersistenceCanary(options(Map.of(CanaryOptions.DATABASE, url,
                CanaryOptions.ENABLED, "maybe"))).check().get(0);

        assertEquals(CanaryState.MISCONFIGURED, report.state(), report::toString);
        assertNoSecret(report);
        assertEquals("jdbc:sqlite:" + database + "?…", report.database());
    }

    private static void assertNoSecret(CanaryReport report) {
        for (String field : Stream.concat(Stream.of(report.state().name(), report.database(), report.lock(),
                report.filesystem(), report.message(), report.toString()), report.warnings().stream()).toList()) {
            assertFalse(field.contains(SECRET), () -> "the secret is shown: " + field);
        }
    }

    // --- paths a person would type ---

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"données de test/app ü.db", "50% off #1 [draft]/app's data.db"})
    void pathWithSpacesAndUnusualLettersWorksEndToEnd(String relative) throws Exception {
        Path file;
        try {
            file = root.resolve(relative);
        } catch (InvalidPathException e) {
            Assumptions.abort("SKIPPED: this JVM cannot name non-ASCII files (sun.jnu.encoding="
                    + System.getProperty("sun.jnu.encoding") + "); run with a UTF-8 locale such as LANG=C.UTF-8");
            return;
        }
        Files.createDirectories(file.getParent());
        UserDatabase.create(file, "delete");
        String userData = UserDatabase.fingerprint(file);
        Path lockDir = root.resolve("verrous à jeter");
        List<String> args = List.of("--database", file.toString(), "--lock-dir", lockDir.toString(),
                "--no-filesystem-check", "--json");
        Path scratch = root.resolve("scratch");

        ChildJvm.Result first = ChildJvm.run(ChildJvm.canaryCommand(List.of(), prepend("check", args)), scratch);
        assertEquals(CanaryState.FIRST_BOOT.name(), first.state(), first::toString);
        assertTrue(first.stdout().contains("\"database\":\"" + file + "\""), first::stdout);
        assertNoInternals(first.output());
        assertEquals(1, UserDatabase.markerRows(file));
        try (Stream<Path> beside = Files.list(file.getParent())) {
            assertEquals(List.of(file), beside.toList(), "a file was created under another name");
        }

        ChildJvm.Result restarted = ChildJvm.run(ChildJvm.canaryCommand(List.of(), prepend("status", args)), scratch);
        assertEquals(CanaryState.AWAITING_REDEPLOY.name(), restarted.state(), restarted::toString);

        CrashConsistencyTest.deleteTree(lockDir);
        ChildJvm.Result redeployed = ChildJvm.run(ChildJvm.canaryCommand(List.of(), prepend("check", args)), scratch);
        assertEquals(0, redeployed.exitCode(), redeployed::toString);
        assertEquals(CanaryState.VERIFIED.name(), redeployed.state(), redeployed::toString);
        assertEquals(userData, UserDatabase.fingerprint(file));
    }

    private static List<String> prepend(String command, List<String> args) {
        return Stream.concat(Stream.of(command), args.stream()).toList();
    }

    @Test
    void commaInsideAQueryStringNeverBecomesADatabaseAndItsRestIsNeverShown() throws Exception {
        String url = "jdbc:sqlite:" + database + "?password=" + SECRET + "-a,b" + SECRET;

        CanaryReport report = new PersistenceCanary(options(Map.of(CanaryOptions.DATABASE, url))).check().get(0);

        assertEquals(CanaryState.MISCONFIGURED, report.state(), report::toString);
        assertTrue(report.message().contains("escape a comma inside one value as \\,"), report.message());
        assertNoSecret(report);
        assertFalse(Files.exists(Path.of("b" + SECRET)), "a fragment of the URL became a file");
        assertFalse(Files.exists(database));
    }

    @Test
    void escapedCommaIsPartOfOneDatabasesFileName() throws Exception {
        Path withComma = database.resolveSibling("a,b.db");

        List<CanaryReport> reports = new PersistenceCanary(options(Map.of(CanaryOptions.DATABASE,
                withComma.toString().replace(",", "\\,")))).check();

        assertEquals(1, reports.size(), reports::toString);
        assertEquals(CanaryState.FIRST_BOOT, reports.get(0).state());
        assertEquals(withComma.toString(), reports.get(0).database());
        assertTrue(Files.exists(withComma));
    }

    @Test
    void questionMarkInAPlainPathIsPartOfTheFileName() throws Exception {
        Path odd = database.resolveSibling("what?.db");

        CanaryReport report = new PersistenceCanary(options(Map.of(CanaryOptions.DATABASE, odd.toString())))
                .check().get(0);

        assertEquals(CanaryState.FIRST_BOOT, report.state(), report::toString);
        assertEquals(odd.toString(), report.database());
        assertTrue(Files.exists(odd));
        assertFalse(Files.exists(database.resolveSibling("what")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"?vfs=memdb", "?mode=%6Demory", "?MODE=Memory", "?cache=shared&mode=memory",
        "?%6dode=memory"})
    void everyInMemoryFormIsEphemeralDatabaseAndCreatesNothing(String query) throws Exception {
        for (String url : List.of("jdbc:sqlite:file:" + database + query, "jdbc:sqlite:" + database + query)) {
            CanaryReport report = new PersistenceCanary(options(Map.of(CanaryOptions.DATABASE, url))).check().get(0);

            assertEquals(CanaryState.EPHEMERAL_DATABASE, report.state(), url);
            assertFalse(Files.exists(database), url);
            assertFalse(Files.exists(locks), url);
        }
    }
}
