package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * GlassFish 7 (full): a domain like Payara Server's (see AsadminServer). It has MicroProfile Config
 * but no MicroProfile Health: the canary's readiness check is skipped (its interface is missing) and
 * {@code /health/ready} is a 404. What keeps an unverified database out of service here is
 * {@code on-failure=fail-startup}: the deployment fails.
 */
final class GlassFish extends AsadminServer {

    static final Path HOME = Path.of(System.getProperty("glassfish.home", "target/servers/glassfish7")).toAbsolutePath();
    static final String NAME = "GlassFish " + System.getProperty("glassfish.version", "");

    private GlassFish(Path container) {
        super(HOME, NAME, container);
    }

    /** Boots GlassFish in {@code container} (see AsadminServer). */
    static GlassFish boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        GlassFish server = new GlassFish(container);
        server.start(log, canaryEnvironment);
        return server;
    }

    @Override
    String editDomainXml(String xml) {
        return xml;
    }

    @Override
    List<String> jvmOptions() {
        return List.of();
    }

    /**
     * Waits for the autodeployer's next outcome for the WAR, the only sign of the canary's verdict on
     * a server without readiness: the log line of a deployment that succeeded or failed.
     *
     * @param from where in the log to look from: the outcome of a later attempt
     * @return the log line
     */
    String awaitAutodeployOutcome(int from) throws InterruptedException {
        return awaitLogLine(from, "Successfully autodeployed", "Autodeploy failed");
    }

    /** Waits for the end of the server's own startup (the applications' deployment comes after it). */
    void awaitStarted() throws InterruptedException {
        awaitLogLine(0, "startup time");
    }

    private String awaitLogLine(int from, String... markers) throws InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            if (!process().isAlive()) {
                throw new AssertionError(name() + " exited with " + process().exitValue() + "\n" + tail());
            }
            for (String line : log().substring(from).split("\n")) {
                for (String marker : markers) {
                    if (line.contains(marker)) {
                        return line.replace("|#]", "").trim(); // the end of a record of the log
                    }
                }
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError(name() + " logged none of " + List.of(markers) + " within " + BOOT_DEADLINE
                + "\n" + tail());
    }
}
