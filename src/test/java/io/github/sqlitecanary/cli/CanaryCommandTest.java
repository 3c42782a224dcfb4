package io.github.sqlitecanary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sqlitecanary.SqliteFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanaryCommandTest {

    @TempDir
    Path volume;

    @TempDir
    Path tmp;

    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        return runWith(Map.of(), args);
    }

    /** Runs the command with these environment variables (and no others). */
    static Run runWith(Map<String, String> environment, String... args) {
        return runWith((Function<String, String>) environment::get, args);
    }

    static Run runWith(Function<String, String> environment, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CanaryCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), environment);
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    String database() {
        return volume.resolve("app.db").toString();
    }

    String lockDir() {
        return tmp.resolve("canary").toString();
    }

    @Test
    void checkOnANewDatabaseExitsOneAndPrintsFirstBootWithGuidance() {
        Run run = run("check", "--database", database(), "--lock-dir", lockDir());

        assertEquals(1, run.exitCode());
        assertTrue(run.out().startsWith("FIRST_BOOT (DOWN): " + database() + "\n  First boot of"), run.out());
        assertTrue(run.out().contains("  lock: " + tmp.resolve("canary")), run.out());
    }

    @Test
    void checkAfterAWipedLockDirectoryExitsZeroVerified() throws Exception {
        run("check", "--database", database(), "--lock-dir", lockDir());
        Path lockDirectory = Path.of(lockDir());
        try (var files = Files.list(lockDirectory)) {
            files.forEach(file -> file.toFile().delete());
        }
        Files.delete(lockDirectory);

        Run run = run("check", "--database", database(), "--lock-dir", lockDir());

        assertEquals(0, run.exitCode());
        assertTrue(run.out().startsWith("VERIFIED (UP): "), run.out());
    }

    @Test
    void expectVerifiedWithoutAValueMeansTrueAndAMissingDatabaseIsLost() {
        Run run = run("status", "--database", database(), "--lock-dir", lockDir(), "--expect-verified", "--json");

        assertEquals(1, run.exitCode(), run.out() + run.err());
        assertTrue(run.out().contains("\"state\":\"DATABASE_LOST\""), run.out());
        assertTrue(run.out().contains("--expect-verified=false"), run.out());
        assertFalse(Files.exists(Path.of(database())));
    }

    @Test
    void expectVerifiedAsTheLastFlagOrWithAValueOrFromTheEnvironment() {
        Run last = run("check", "--database", database(), "--lock-dir", lockDir(), "--expect-verified");
        Run no = run("status", "--database", database(), "--lock-dir", lockDir(), "--expect-verified=false");
        Run env = runWith(Map.of("SQLITE_CANARY_EXPECT_VERIFIED", "true"), "check", "--database", database(),
                "--lock-dir", lockDir());

        assertTrue(last.out().startsWith("DATABASE_LOST (DOWN): "), last.out() + last.err());
        assertTrue(no.out().startsWith("FIRST_BOOT (DOWN): "), no.out() + no.err());
        assertTrue(env.out().startsWith("DATABASE_LOST (DOWN): "), env.out() + env.err());
        assertFalse(Files.exists(Path.of(database())));
        assertFalse(Files.exists(Path.of(lockDir())));
    }

    @Test
    void thePlatformAndItsDeployIdentityComeFromTheEnvironmentIntoJsonAndText() {
        Map<String, String> fly = Map.of("FLY_APP_NAME", "notes", "FLY_IMAGE_REF", "notes:deployment-1");

        Run json = runWith(fly, "check", "--database", database(), "--lock-dir", lockDir(), "--json");
        Run text = runWith(fly, "status", "--database", database(), "--lock-dir", lockDir());
        Run none = runWith(fly, "status", "--database", database(), "--lock-dir", lockDir(), "--deploy-id", "none",
                "--json");

        assertTrue(json.out().contains("\"platform\":\"Fly.io\""), json.out());
        assertTrue(json.out().contains("\"deployId\":\"notes:deployment-1 (FLY_IMAGE_REF)\""),
                json.out());
        assertTrue(json.out().contains("destination = \\\"" + volume + "\\\""), json.out());
        assertTrue(text.out().contains("\n  platform: Fly.io\n  deploy id: notes:deployment-1 "
                + "(FLY_IMAGE_REF)\n"), text.out());
        assertTrue(text.out().contains("a restart, not a redeploy"), text.out());
        assertTrue(none.out().contains("\"deployId\":\"-\""), none.out());
    }

    @Test
    void aConfiguredDeployIdIsNamedAsItsFlag() {
        Run run = run("status", "--database", database(), "--lock-dir", lockDir(), "--deploy-id", "image-7", "--json");

        assertTrue(run.out().contains("\"deployId\":\"image-7 (--deploy-id)\""), run.out());
    }

    @Test
    void statusCreatesNothing() {
        Run run = run("status", "--database", database(), "--lock-dir", lockDir(), "--json");

        assertEquals(1, run.exitCode());
        assertTrue(run.out().contains("\"state\":\"FIRST_BOOT\""), run.out());
        assertFalse(Files.exists(volume.resolve("app.db")));
        assertFalse(Files.exists(tmp.resolve("canary")));
    }

    @Test
    void jsonHoldsEveryFieldOfTheContract() {
        Run run = run("check", "--database", database(), "--lock-dir", lockDir(), "--deploy-id", "img-1",
                "--no-filesystem-check", "--json");

        String json = run.out().trim();
        assertTrue(json.startsWith("{\"status\":\"DOWN\",\"state\":\"FIRST_BOOT\",\"database\":\"" + database()
                + "\",\"lock\":\""), json);
        for (String field : new String[] {"\"filesystem\":", "\"message\":\"First boot of ", "\"warnings\":[]"}) {
            assertTrue(json.contains(field), () -> field + " missing in " + json);
        }
        assertTrue(json.endsWith("}"), json);
        assertEquals(1, json.lines().count(), "one JSON object on one line");
    }

    @Test
    void severalDatabasesAreListedInJson() throws Exception {
        Path second = Files.createDirectory(volume.resolve("b")).resolve("b.db");
        Run run = run("check", "--database", database(), "--database", second.toString(), "--lock-dir", lockDir(),
                "--json");

        assertTrue(run.out().contains("\"databases\":[{\"status\":\"DOWN\",\"state\":\"FIRST_BOOT\""), run.out());
        assertTrue(run.out().contains("\"database\":\"" + second + "\""), run.out());
    }

    @Test
    void usageErrorsExitTwoWithTheUsageText() {
        for (String[] args : new String[][] {{}, {"verify"}, {"check"}, {"check", "--database"},
            {"check", "--database", "/a.db", "--colour"}}) {
            Run run = run(args);
            assertEquals(2, run.exitCode(), String.join(" ", args));
            assertTrue(run.err().contains("Usage: java -jar sqlite-persistence-canary-<version>-cli.jar"), run.err());
            assertEquals("", run.out());
        }
    }

    @Test
    void misconfiguredDatabaseUrlExitsOne() {
        Run run = run("check", "--database", "jdbc:sqlite::memory:");

        assertEquals(1, run.exitCode());
        assertTrue(run.out().startsWith("EPHEMERAL_DATABASE (DOWN)"), run.out());
    }

    @Test
    void jsonEscapesQuotesBackslashesAndControlCharacters() {
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001\"", ReportFormat.quote("a\"b\\c\nd\u0001"));
    }

    @Test
    void everyKeyHasAFlagNamedAfterIt() throws Exception {
        Run run = run("check", "--database", database(), "--lock-dir=" + lockDir(), "--table", "canary_marker",
                "--busy-timeout", "250", "--deploy-id", "image-1", "--filesystem-check=false", "--on-failure",
                "readiness", "--enabled", "true", "--json");

        assertEquals(1, run.exitCode(), run::toString);
        assertTrue(run.out().contains("\"state\":\"FIRST_BOOT\""), run.out());
        assertEquals(List.of("image-1"), SqliteFiles.rows(Path.of(database()),
                "SELECT first_boot_deploy_id FROM canary_marker"));
    }

    @Test
    void environmentVariablesAreReadAsMicroProfileConfigMapsThemAndFlagsWin() {
        Path fromEnvironment = tmp.resolve("env-locks");
        Map<String, String> environment = Map.of("SQLITE_CANARY_DATABASE", database(),
                "SQLITE_CANARY_LOCK_DIR", fromEnvironment.toString(), "sqlite_canary_table", "env_marker");

        Run fromTheEnvironment = runWith(environment, "status", "--json");
        Run flagWins = runWith(environment, "status", "--lock-dir", lockDir(), "--json");

        assertTrue(fromTheEnvironment.out().contains("\"lock\":\"" + fromEnvironment + "/"), fromTheEnvironment.out());
        assertTrue(flagWins.out().contains("\"lock\":\"" + lockDir() + "/"), flagWins.out());
    }

    @Test
    void switchedOffInTheEnvironmentIsDisabledAndExitsZeroEvenWithoutADatabase() {
        Run run = runWith(Map.of("SQLITE_CANARY_ENABLED", "false"), "check", "--json");

        assertEquals(0, run.exitCode(), run::toString);
        assertTrue(run.out().contains("\"state\":\"DISABLED\""), run.out());
    }

    @Test
    void commaInADatabaseFlagIsPartOfTheOnePath() throws Exception {
        Path withComma = volume.resolve("a,b.db");

        Run run = run("check", "--database", withComma.toString(), "--lock-dir", lockDir(), "--json");

        assertFalse(run.out().contains("\"databases\""), run.out());
        assertTrue(Files.exists(withComma));
    }

    @Test
    void versionAndHelpExitZero() {
        Run version = run("--version");
        Run help = run("--help");

        assertEquals(0, version.exitCode());
        assertTrue(version.out().startsWith("sqlite-persistence-canary "), version.out());
        assertEquals(0, help.exitCode());
        assertTrue(help.out().contains("--busy-timeout"), help.out());
    }

    @Test
    void invalidValueExitsTwoAndNamesTheFlagNotTheMicroProfileKey() {
        Run run = run("check", "--database", database(), "--lock-dir", lockDir(), "--busy-timeout", "soon");

        assertEquals(2, run.exitCode(), run::toString);
        assertTrue(run.out().contains("--busy-timeout=\"soon\" must be a whole number of milliseconds"), run.out());
        assertFalse(run.out().contains("sqlite.canary."), run.out());
        assertFalse(Files.exists(Path.of(database())));
    }

    @Test
    void internalErrorExitsThreeWithOneJsonObjectAndNoStackTrace() {
        Run run = runWith(name -> {
            throw new IllegalStateException("environment unreadable");
        }, "check", "--database", database(), "--json");

        assertEquals(3, run.exitCode(), run::toString);
        assertEquals("{\"status\":\"ERROR\",\"exitCode\":3,\"error\":\"internal error (IllegalStateException): "
                + "environment unreadable\"}\n", run.out());
        assertEquals("", run.err());
    }

    @Test
    void usageErrorWithJsonIsOneJsonObjectOnStandardOutput() {
        Run run = run("check", "--json", "--colour", "red");

        assertEquals(2, run.exitCode());
        assertTrue(run.out().startsWith("{\"status\":\"ERROR\",\"exitCode\":2,\"error\":\"unknown option"),
                run.out());
        assertEquals(1, run.out().lines().count());
        assertEquals("", run.err());
    }

    @Test
    void usageErrorsNeverEchoAUrlsQueryString() {
        for (String[] args : new String[][] {
            {"check", "jdbc:sqlite:/data/app.db?password=hunter2"},
            {"check", "--database=/data/app.db", "--colour=jdbc:sqlite:/x.db?password=hunter2"},
            {"jdbc:sqlite:/data/app.db?password=hunter2"},
            {"check", "--database", "/a.db", "file:/x.db?key=hunter2"}}) {
            Run run = run(args);

            assertEquals(2, run.exitCode(), String.join(" ", args));
            assertFalse((run.out() + run.err()).contains("hunter2"), run::toString);
        }
    }

    @Test
    void controlCharactersInAPathCannotForgeLinesOrMoveTheCursor() {
        String database = volume.resolve("evil\n\u001b[2Jdir").resolve("app.db").toString();

        Run run = run("check", "--database", database, "--lock-dir", lockDir());

        assertTrue(run.out().startsWith("VOLUME_MISSING (DOWN): "), run.out());
        assertFalse(run.out().contains("\u001b"), run.out());
        assertEquals(6, run.out().lines().count(), run.out());
        assertTrue(run.out().contains("evil\\n\\u001b[2Jdir"), run.out());
    }
}
