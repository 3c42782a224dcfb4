package io.github.sqlitecanary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = CanaryCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), name -> null);
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
}
