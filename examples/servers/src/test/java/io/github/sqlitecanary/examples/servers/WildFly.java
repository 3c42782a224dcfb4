package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WildFly with its MicroProfile configuration ({@code standalone-microprofile.xml}), booted by
 * {@code standalone.sh} on a copy of {@code standalone/} ({@code jboss.server.base.dir}) with the
 * WAR in its {@code deployments/}. Readiness is on the management port, not the HTTP port.
 */
final class WildFly extends AppServer {

    static final Path HOME = Path.of(System.getProperty("wildfly.home", "target/servers/wildfly")).toAbsolutePath();
    static final String NAME = "WildFly " + System.getProperty("wildfly.version", "");

    private final int httpPort;
    private final int managementPort;

    private WildFly(int httpPort, int managementPort) {
        this.httpPort = httpPort;
        this.managementPort = managementPort;
    }

    /**
     * Boots WildFly in {@code container}: its {@code server/} (the base directory, created with the
     * WAR deployed if it is not there yet) and its {@code tmp/} ({@code java.io.tmpdir}).
     */
    static WildFly boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        Path base = container.resolve("server");
        Path tmp = Files.createDirectories(container.resolve("tmp"));
        if (!Files.exists(base)) {
            copyTree(HOME.resolve("standalone"), base);
            Files.copy(WAR, base.resolve("deployments").resolve("notes.war"));
        }
        WildFly server = new WildFly(freeLoopbackPort(), freeLoopbackPort());
        // -b and -bmanagement: both interfaces on loopback; every socket binding with a property
        // gets a free port (the transaction manager's 4712/4713 open no socket in this profile).
        List<String> command = List.of("sh", HOME.resolve("bin/standalone.sh").toString(),
                "-c", "standalone-microprofile.xml",
                "-Djboss.server.base.dir=" + base,
                "-b", "127.0.0.1", "-bmanagement", "127.0.0.1",
                "-Djboss.http.port=" + server.httpPort,
                "-Djboss.https.port=" + freeLoopbackPort(),
                "-Djboss.ajp.port=" + freeLoopbackPort(),
                "-Djboss.management.http.port=" + server.managementPort,
                "-Djboss.management.https.port=" + freeLoopbackPort());
        Map<String, String> environment = new HashMap<>(canaryEnvironment);
        // Set, JAVA_OPTS replaces standalone.conf's defaults: those are repeated here, with the
        // temporary directory added.
        environment.put("JAVA_OPTS", "-Xms64m -Xmx512m -XX:TieredStopAtLevel=1 -Djava.net.preferIPv4Stack=true"
                + " -Djboss.modules.system.pkgs=org.jboss.byteman -Djava.awt.headless=true -Djava.io.tmpdir=" + tmp);
        server.launch(command, container, environment, log);
        return server;
    }

    @Override
    String name() {
        return NAME;
    }

    @Override
    URI readinessUri() {
        return URI.create("http://127.0.0.1:" + managementPort + "/health/ready");
    }

    @Override
    URI applicationUri() {
        return URI.create("http://127.0.0.1:" + httpPort + "/");
    }
}
