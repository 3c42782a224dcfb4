package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * Payara Server or GlassFish (Payara Server began as a GlassFish; their domains are alike), booted by
 * {@code asadmin start-domain --verbose} on a copy of its {@code domain1} in a domain directory of its
 * own, the WAR in the domain's {@code autodeploy/}. {@code --verbose} keeps asadmin in the foreground
 * as the server JVM's parent, so the server is in this test's process tree and its log on asadmin's
 * console.
 */
abstract class AsadminServer extends AppServer {

    private static final String DOMAIN = "domain1";

    /** Markers of the autodeployer's log line for the outcome of a WAR's deployment. */
    static final String[] AUTODEPLOY_OUTCOME = {"Successfully autodeployed", "Autodeploy failed"};

    private final Path home;
    private final String name;
    private final Path container;
    private final Path domains;
    private int httpPort;

    /**
     * A server in {@code container}: its {@code domains/domain1} (created with the WAR to autodeploy
     * if it is not there yet) and its {@code tmp/} (java.io.tmpdir, a JVM option of the domain).
     *
     * @param home the distribution's directory, with {@code bin/asadmin}
     */
    AsadminServer(Path home, String name, Path container) {
        this.home = home;
        this.name = name;
        this.container = container;
        this.domains = container.resolve("domains");
    }

    /** This server's own changes to the whole domain.xml, after the changes both servers need. */
    abstract String editDomainXml(String xml) throws IOException;

    /** JVM options of this server's own, added to the domain's. */
    abstract List<String> jvmOptions();

    /** Starts {@code asadmin start-domain} with the canary's environment. */
    final void start(Path log, Map<String, String> canaryEnvironment) throws IOException {
        Path tmp = Files.createDirectories(container.resolve("tmp"));
        Path ports = container.resolve("ports.properties");
        if (!Files.exists(domains)) {
            createDomain(domains.resolve(DOMAIN), tmp, ports);
        }
        Properties chosen = new Properties();
        try (Reader reader = Files.newBufferedReader(ports)) {
            chosen.load(reader);
        }
        httpPort = Integer.parseInt(chosen.getProperty("http"));
        Map<String, String> environment = new HashMap<>(canaryEnvironment);
        environment.put("AS_JAVA", JAVA_HOME.toString());
        launch(List.of("sh", home.resolve("bin/asadmin").toString(), "start-domain", "--verbose",
                "--domaindir", domains.toString(), DOMAIN), container, environment, log);
    }

    /**
     * A copy of the distribution's domain1, every listener that opens a socket on loopback and a
     * free port. The ports stay with the domain (a restart uses them again: the server rewrites its
     * domain.xml while it runs).
     */
    private void createDomain(Path domain, Path tmp, Path portsFile) throws IOException {
        copyTree(home.resolve("glassfish/domains/domain1"), domain);
        Files.createDirectories(domain.resolve("autodeploy"));
        Files.copy(WAR, domain.resolve("autodeploy").resolve("notes.war"));

        int http = freeLoopbackPort();
        Path domainXml = domain.resolve("config/domain.xml");
        String xml = Files.readString(domainXml, StandardCharsets.UTF_8);
        int start = xml.indexOf("<config name=\"server-config\">");
        int end = xml.indexOf("</config>", start);
        String config = xml.substring(start, end);
        config = replaceOnce(config, "<network-listener port=\"8080\"",
                "<network-listener address=\"127.0.0.1\" port=\"" + http + "\"");
        config = replaceOnce(config, "<network-listener port=\"8181\"",
                "<network-listener address=\"127.0.0.1\" port=\"" + freeLoopbackPort() + "\"");
        config = replaceOnce(config, "<network-listener port=\"4848\"",
                "<network-listener address=\"127.0.0.1\" port=\"" + freeLoopbackPort() + "\"");
        for (String iiopPort : List.of("3700", "3820", "3920")) {
            config = replaceOnce(config, "address=\"0.0.0.0\" port=\"" + iiopPort + "\"",
                    "address=\"127.0.0.1\" port=\"" + freeLoopbackPort() + "\"");
        }
        config = replaceOnce(config, "address=\"0.0.0.0\" port=\"8686\"",
                "address=\"127.0.0.1\" port=\"" + freeLoopbackPort() + "\"");
        config = replaceOnce(config, "-Dosgi.shell.telnet.port=6666", "-Dosgi.shell.telnet.port=" + freeLoopbackPort());
        // The embedded JMS broker's lazy-start proxy listens on all interfaces, whatever its
        // jms-host says; the application uses no JMS, so the JMS service is off.
        String jmsPort = "<system-property name=\"JMS_PROVIDER_PORT\" value=\"7676\"";
        config = replaceOnce(config, jmsPort,
                "<jms-service type=\"DISABLED\" default-jms-host=\"default_JMS_host\">"
                        + "<jms-host name=\"default_JMS_host\" host=\"127.0.0.1\" port=\"${JMS_PROVIDER_PORT}\" lazy-init=\"true\" />"
                        + "</jms-service>\n"
                        + "<system-property name=\"JMS_PROVIDER_PORT\" value=\"" + freeLoopbackPort() + "\"");
        StringBuilder options = new StringBuilder("<jvm-options>-Xmx512m</jvm-options>"
                + "<jvm-options>-XX:TieredStopAtLevel=1</jvm-options>"
                + "<jvm-options>-Djava.io.tmpdir=" + tmp + "</jvm-options>");
        jvmOptions().forEach(option -> options.append("<jvm-options>").append(option).append("</jvm-options>"));
        config = replaceOnce(config, "<jvm-options>-Xmx512m</jvm-options>", options.toString());
        xml = editDomainXml(xml.substring(0, start) + config + xml.substring(end));
        Files.writeString(domainXml, xml, StandardCharsets.UTF_8);

        Properties ports = new Properties();
        ports.setProperty("http", Integer.toString(http));
        try (Writer writer = Files.newBufferedWriter(portsFile)) {
            ports.store(writer, "the ports of " + domain);
        }
    }

    /**
     * Waits for the autodeployer's next outcome for the WAR, the sign of the canary's verdict where
     * no readiness check tells it (GlassFish; an application that did not start): the log line of a
     * deployment that succeeded or failed.
     *
     * @param from where in the log to look from: the outcome of a later attempt
     * @return the log line
     */
    String awaitAutodeployOutcome(int from) throws InterruptedException {
        return awaitLogLine(from, AUTODEPLOY_OUTCOME);
    }

    Path domain() {
        return domains.resolve(DOMAIN);
    }

    @Override
    final String name() {
        return name;
    }

    @Override
    URI readinessUri() {
        return URI.create("http://127.0.0.1:" + httpPort + "/health/ready");
    }

    @Override
    final URI applicationUri() {
        return URI.create("http://127.0.0.1:" + httpPort + "/");
    }

    /** The server's own stop command; the asadmin in the foreground then exits too. */
    @Override
    final void stop() throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder("sh", home.resolve("bin/asadmin").toString(), "stop-domain",
                "--domaindir", domains.toString(), DOMAIN)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("AS_JAVA", JAVA_HOME.toString());
        Process stop = builder.start();
        if (!stop.waitFor(2, TimeUnit.MINUTES)) {
            stop.destroyForcibly();
        }
        if (process().isAlive() && !process().waitFor(30, TimeUnit.SECONDS)) {
            terminateTree();
        }
    }
}
