package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Payara Server (full): a domain like GlassFish's (see AsadminServer) plus the data grid (Hazelcast)
 * of the domain administration server, also on loopback.
 */
final class PayaraServer extends AsadminServer {

    static final Path HOME = Path.of(System.getProperty("payara.home", "target/servers/payara6")).toAbsolutePath();
    static final String NAME = "Payara Server " + System.getProperty("payara.version", "");

    private PayaraServer(Path container) {
        super(HOME, NAME, container);
    }

    /** Boots Payara Server in {@code container} (see AsadminServer). */
    static PayaraServer boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        PayaraServer server = new PayaraServer(container);
        server.start(log, canaryEnvironment);
        return server;
    }

    @Override
    String editDomainXml(String xml) throws IOException {
        return replaceOnce(xml, "<hazelcast-runtime-configuration start-port=\"5900\" das-port=\"4900\"",
                "<hazelcast-runtime-configuration interface=\"127.0.0.1\" start-port=\"" + freeLoopbackPort()
                        + "\" das-port=\"" + freeLoopbackPort() + "\"");
    }

    @Override
    List<String> jvmOptions() {
        return List.of("-Dhazelcast.socket.bind.any=false");
    }
}
