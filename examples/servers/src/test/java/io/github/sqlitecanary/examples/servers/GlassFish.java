package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

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

    /** Waits for the end of the server's own startup (the applications' deployment comes after it). */
    void awaitStarted() throws InterruptedException {
        awaitLogLine(0, "startup time");
    }
}
