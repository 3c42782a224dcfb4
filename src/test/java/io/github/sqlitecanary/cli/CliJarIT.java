package io.github.sqlitecanary.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged executable jar, run the way an operator or an init container runs it. */
class CliJarIT {

    @TempDir
    Path volume;

    @TempDir
    Path tmp;

    record Run(int exitCode, String out) {
    }

    static Path cliJar() {
        String jar = System.getProperty("canary.cli.jar");
        assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "the build passes the CLI jar's path: " + jar);
        return Path.of(jar);
    }

    static Run java(String... args) throws IOException, InterruptedException {
        return java(Map.of(), args);
    }

    static Run java(Map<String, String> environment, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", cliJar().toString()));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the CLI finished");
        return new Run(process.exitValue(), out);
    }

    @Test
    void cliJarRunsTheTwoDeployStoryOnItsOwn() throws Exception {
        String database = volume.resolve("app.db").toString();
        String lockDir = tmp.resolve("canary").toString();

        Run first = java("check", "--database", database, "--lock-dir", lockDir);
        assertEquals(1, first.exitCode(), first.out());
        assertTrue(first.out().startsWith("FIRST_BOOT (DOWN)"), first.out());

        Run restart = java("check", "--database", database, "--lock-dir", lockDir, "--json");
        assertEquals(1, restart.exitCode(), restart.out());
        assertTrue(restart.out().contains("\"state\":\"AWAITING_REDEPLOY\""), restart.out());

        try (var files = Files.list(tmp.resolve("canary"))) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Run redeploy = java("check", "--database", database, "--lock-dir", lockDir);
        assertEquals(0, redeploy.exitCode(), redeploy.out());
        assertTrue(redeploy.out().startsWith("VERIFIED (UP)"), redeploy.out());
    }

    @Test
    void cliJarPrintsUsageAndExitsTwoWithoutArguments() throws Exception {
        Run run = java();

        assertEquals(2, run.exitCode());
        assertTrue(run.out().contains("Usage:"), run.out());
    }

    @Test
    void outputIsUtf8EvenWithoutALocaleAsInAMinimalContainer() throws Exception {
        // (An argument's non-ASCII letters would already be lost on the way in under LC_ALL=C.)
        String database = "jdbc:sqlite:" + volume.resolve("app.db") + "?password=secret";

        Run run = java(Map.of("LC_ALL", "C", "LANG", ""), "status", "--database", database);

        assertTrue(run.out().contains("app.db?…"), run.out());
    }
}
