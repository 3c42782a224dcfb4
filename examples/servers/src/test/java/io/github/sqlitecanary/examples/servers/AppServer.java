package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * One boot of a full application server with the notes WAR, as child processes started by the
 * server's own launch script, listening on free loopback ports, configured through environment
 * variables as an operator would. Closing it stops the server cleanly, then kills whatever of its
 * process tree is left.
 */
abstract class AppServer implements AutoCloseable {

    /** Generous: two shared cores, and other builds running beside this one. */
    static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);

    static final Path WAR = Path.of(System.getProperty("notes.war", "target/notes.war")).toAbsolutePath();

    /** The build's own Java (17): every server runs on it. */
    static final Path JAVA_HOME = Path.of(System.getProperty("java.home"));

    /**
     * Variables of the build's environment that would change how a launch script starts its
     * server, and the canary's own: only what the test sets may reach the server.
     */
    private static final List<String> INHERITED_SETTINGS = List.of("SQLITE_CANARY_", "JAVA_OPTS", "JAVA_TOOL_OPTIONS",
            "JDK_JAVA_OPTIONS", "JBOSS_", "CATALINA_", "JPDA_", "AS_");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private Path log;

    /** "WildFly 39.0.1.Final" and so on. */
    abstract String name();

    /** Where an orchestrator's readiness probe points. */
    abstract URI readinessUri();

    /** The base of the application's own URLs (up to, not including, {@code /notes}). */
    abstract URI applicationUri();

    /**
     * Stops the server as an operator would: SIGTERM, which WildFly and TomEE handle cleanly; a
     * server with its own stop command overrides this.
     */
    void stop() throws IOException, InterruptedException {
        terminateTree();
    }

    /**
     * Starts the launch script, on the build's Java, with the server's own environment added to the
     * canary's.
     */
    final void launch(List<String> command, Path workingDirectory, Map<String, String> environment, Path log)
            throws IOException {
        Files.createDirectories(log.getParent());
        this.log = log;
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> INHERITED_SETTINGS.stream().anyMatch(name::startsWith));
        builder.environment().put("JAVA_HOME", JAVA_HOME.toString());
        builder.environment().putAll(environment);
        process = builder.start();
    }

    /**
     * Polls the readiness URL until the canary's own check answers with a verdict and the
     * server's own checks are UP (until then the status code says nothing about the canary).
     */
    Readiness awaitCanaryVerdict() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        Readiness last = null;
        while (Instant.now().isBefore(deadline)) {
            ensureAlive();
            try {
                last = readiness();
                if (last.hasCanaryVerdict()) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // The listener is not up yet: poll again.
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError(name() + " gave no canary verdict within " + BOOT_DEADLINE
                + "; last readiness: " + last + "\n" + tail());
    }

    /**
     * Waits for the first line of the log, from {@code from} on, that holds one of the markers: the
     * server's word on a deployment, where readiness does not tell (an application that did not start).
     *
     * @return the line, without the end of a record of an asadmin server's log
     */
    final String awaitLogLine(int from, String... markers) throws InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            ensureAlive();
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

    Readiness readiness() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(readinessUri())
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
        return new Readiness(response.statusCode(), response.body());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(applicationUri().resolve(path)).timeout(Duration.ofSeconds(30))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(applicationUri().resolve(path)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The server's console output of this boot so far. */
    String log() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Process process() {
        return process;
    }

    private void ensureAlive() {
        if (!process.isAlive()) {
            throw new AssertionError(name() + " exited with " + process.exitValue() + "\n" + tail());
        }
    }

    String tail() {
        String text = log();
        return "--- end of " + log + " ---\n" + text.substring(Math.max(0, text.length() - 6000));
    }

    /** Stops the server cleanly; if it does not go within a minute, kills its process tree. */
    @Override
    public void close() throws IOException, InterruptedException {
        if (process == null) {
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        try {
            if (process.isAlive()) {
                stop();
            }
        } finally {
            for (ProcessHandle handle : tree) {
                try {
                    handle.onExit().get(60, TimeUnit.SECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    System.out.println(name() + ": " + handle.pid() + " did not stop within a minute; killing it");
                    handle.destroyForcibly();
                }
            }
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** SIGTERM to every process of the tree: each server's JVM shuts down cleanly on it. */
    final void terminateTree() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
    }

    static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** Copies a directory tree (a server's configuration) into a fresh place. */
    static void copyTree(Path source, Path target) throws IOException {
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.toList()) {
                Path copy = target.resolve(source.relativize(file).toString());
                if (Files.isDirectory(file)) {
                    Files.createDirectories(copy);
                } else {
                    Files.copy(file, copy, StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }

    /** Replaces exactly one occurrence, so that a changed distribution fails loudly here. */
    static String replaceOnce(String text, String target, String replacement) {
        int at = text.indexOf(target);
        if (at < 0 || text.indexOf(target, at + 1) >= 0) {
            throw new IllegalStateException("expected exactly one \"" + target + "\" in the server's configuration");
        }
        return text.substring(0, at) + replacement + text.substring(at + target.length());
    }
}
