package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TomEE's MicroProfile distribution, booted by {@code catalina.sh run} with a {@code CATALINA_BASE}
 * of its own (a copy of {@code conf/}, the WAR in {@code webapps/}). TomEE answers health under each
 * JAX-RS application: {@code /notes/api/health/ready}; {@code /health/ready} is a 404.
 */
final class TomEE extends AppServer {

    static final Path HOME = Path.of(System.getProperty("tomee.home", "target/servers/tomee")).toAbsolutePath();
    static final String NAME = "TomEE " + System.getProperty("tomee.version", "") + " (microprofile)";

    private final int httpPort;

    private TomEE(int httpPort) {
        this.httpPort = httpPort;
    }

    /**
     * Boots TomEE in {@code container}: its {@code server/} ({@code CATALINA_BASE}, created with the
     * WAR if it is not there yet) and its {@code tmp/} ({@code CATALINA_TMPDIR}, java.io.tmpdir).
     */
    static TomEE boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        Path base = container.resolve("server");
        Path tmp = Files.createDirectories(container.resolve("tmp"));
        if (!Files.exists(base)) {
            copyTree(HOME.resolve("conf"), base.resolve("conf"));
            for (String directory : List.of("webapps", "logs", "work", "temp")) {
                Files.createDirectories(base.resolve(directory));
            }
            Files.copy(WAR, base.resolve("webapps").resolve("notes.war"));
        }
        TomEE server = new TomEE(freeLoopbackPort());
        // The one HTTP connector on loopback and a free port; no shutdown port (the server stops on SIGTERM).
        String serverXml = Files.readString(HOME.resolve("conf/server.xml"), StandardCharsets.UTF_8);
        serverXml = replaceOnce(serverXml, "<Server port=\"8005\"", "<Server port=\"-1\"");
        serverXml = replaceOnce(serverXml, "<Connector port=\"8080\" protocol=\"HTTP/1.1\"",
                "<Connector port=\"" + server.httpPort + "\" address=\"127.0.0.1\" protocol=\"HTTP/1.1\"");
        Files.writeString(base.resolve("conf/server.xml"), serverXml, StandardCharsets.UTF_8);

        Map<String, String> environment = new HashMap<>(canaryEnvironment);
        environment.put("CATALINA_HOME", HOME.toString());
        environment.put("CATALINA_BASE", base.toString());
        environment.put("CATALINA_TMPDIR", tmp.toString());
        environment.put("CATALINA_OPTS", "-Xmx512m -XX:TieredStopAtLevel=1");
        server.launch(List.of("sh", HOME.resolve("bin/catalina.sh").toString(), "run"), container, environment, log);
        return server;
    }

    @Override
    String name() {
        return NAME;
    }

    @Override
    URI readinessUri() {
        return URI.create("http://127.0.0.1:" + httpPort + "/notes/api/health/ready");
    }

    @Override
    URI applicationUri() {
        return URI.create("http://127.0.0.1:" + httpPort + "/");
    }
}
