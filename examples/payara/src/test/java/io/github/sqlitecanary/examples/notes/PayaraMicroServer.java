package io.github.sqlitecanary.examples.notes;

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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * One boot of Payara Micro with the notes WAR, as a child process: {@code java -jar payara-micro.jar
 * --deploy notes.war}, listening on a free loopback port, configured through environment variables
 * as an operator would. Closing it stops the process tree.
 */
final class PayaraMicroServer implements AutoCloseable {

    /** Generous: two shared cores, and other builds running beside this one. */
    static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);

    private static final Path PAYARA_MICRO = Path.of(System.getProperty("payara.micro.jar", "target/payara-micro.jar"));
    private static final Path WAR = Path.of(System.getProperty("notes.war", "target/notes.war"));

    // Everything Payara Micro opens listens on loopback only: the HTTP listener and the
    // Hazelcast data grid (which --nocluster does not switch off).
    private static final List<String> LOOPBACK_ONLY = List.of(
            "set configs.config.server-config.network-config.network-listeners.network-listener.http-listener.address=127.0.0.1",
            "set hazelcast-runtime-configuration.interface=127.0.0.1");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final Path log;
    private final int port;

    private PayaraMicroServer(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /**
     * Boots Payara Micro with the notes WAR. {@code tmp} is the server's temporary directory
     * ({@code java.io.tmpdir}), the part of the file system that a redeploy wipes; the server log
     * goes to {@code log}.
     */
    static PayaraMicroServer start(Path tmp, Path log, Map<String, String> canaryEnvironment) throws IOException {
        Files.createDirectories(tmp);
        Files.createDirectories(log.getParent());
        Path bootCommands = Files.write(log.resolveSibling(log.getFileName() + ".preboot.txt"), LOOPBACK_ONLY);
        int port = freeLoopbackPort();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + tmp,
                "-Dhazelcast.socket.bind.any=false",
                "-jar", PAYARA_MICRO.toAbsolutePath().toString(),
                "--deploy", WAR.toAbsolutePath().toString(),
                "--port", Integer.toString(port),
                "--nocluster",
                "--prebootcommandfile", bootCommands.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(tmp.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        // Only what the test sets reaches the canary, not what the shell running the build has.
        builder.environment().keySet().removeIf(name -> name.startsWith("SQLITE_CANARY_"));
        builder.environment().putAll(canaryEnvironment);
        return new PayaraMicroServer(builder.start(), log, port);
    }

    /**
     * Polls {@code /health/ready} until the canary's own check answers with a verdict. While the
     * WAR deploys, Payara answers 503 with its built-in "No Application deployed" check, and the
     * canary's check says STARTING until its startup observer has run.
     */
    Readiness awaitCanaryVerdict() throws IOException, InterruptedException {
        return awaitReadiness(r -> r.canary().isPresent() && !r.hasCheck("No Application deployed")
                && !"STARTING".equals(r.state()));
    }

    /** Waits until Payara Micro reports that it has booted, whether the WAR deployed or not. */
    void awaitBooted() throws IOException, InterruptedException {
        awaitLog(text -> text.contains("Payara Micro") && text.contains(" ready in "));
    }

    Readiness readiness() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/health/ready");
        return new Readiness(response.statusCode(), response.body());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> postJson(String path, String json) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** The server log so far (Payara Micro's console output). */
    String log() {
        try {
            return new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Readiness awaitReadiness(Predicate<Readiness> done) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        Readiness last = null;
        while (Instant.now().isBefore(deadline)) {
            ensureAlive();
            try {
                last = readiness();
                if (done.test(last)) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // The HTTP listener is not up yet: poll again.
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("Payara Micro gave no canary verdict within " + BOOT_DEADLINE
                + "; last readiness: " + last + "\n" + tail());
    }

    private void awaitLog(Predicate<String> done) throws InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            ensureAlive();
            if (done.test(log())) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("Payara Micro did not boot within " + BOOT_DEADLINE + "\n" + tail());
    }

    private void ensureAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("Payara Micro exited with " + process.exitValue() + "\n" + tail());
        }
    }

    private String tail() {
        String text = log();
        return "--- end of " + log + " ---\n" + text.substring(Math.max(0, text.length() - 6000));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Stops the server and everything it started: SIGTERM first, then a kill. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                handle.destroyForcibly();
            }
        }
        process.waitFor(30, TimeUnit.SECONDS);
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
