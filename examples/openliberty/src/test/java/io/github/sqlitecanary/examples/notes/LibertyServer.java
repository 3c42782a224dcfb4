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
 * One boot of the Open Liberty server {@code notesServer} that {@code liberty:create} and
 * {@code liberty:deploy} prepared in {@code target/liberty/wlp}, run in the foreground as a child
 * process ({@code bin/server run}) on a free loopback port and configured through environment
 * variables as an operator would. Closing it stops the process tree.
 */
final class LibertyServer implements AutoCloseable {

    /** Generous: two shared cores, and other builds running beside this one. */
    static final Duration BOOT_DEADLINE = Duration.ofMinutes(4);

    private static final Path WLP = Path.of(System.getProperty("liberty.install.dir", "target/liberty/wlp"));
    private static final String SERVER = System.getProperty("liberty.server.name", "notesServer");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Process process;
    private final Path logs;
    private final int port;

    private LibertyServer(Process process, Path logs, int port) {
        this.process = process;
        this.logs = logs;
        this.port = port;
    }

    /**
     * Boots the server. {@code tmp} stands for the container's own file system, which a redeploy
     * wipes: it holds {@code java.io.tmpdir} and Liberty's output directory (work area, expanded
     * WAR). The logs, {@code messages.log} among them, go to {@code logs}.
     */
    static LibertyServer start(Path tmp, Path logs, Map<String, String> canaryEnvironment) throws IOException {
        Files.createDirectories(tmp);
        Files.createDirectories(logs);
        int port = freeLoopbackPort();
        ProcessBuilder builder = new ProcessBuilder(WLP.resolve("bin/server").toAbsolutePath().toString(), "run", SERVER)
                .redirectErrorStream(true)
                .redirectOutput(logs.resolve("console.log").toFile());
        Map<String, String> environment = builder.environment();
        // Only what the test sets reaches the canary, not what the shell running the build has.
        environment.keySet().removeIf(name -> name.startsWith("SQLITE_CANARY_"));
        environment.put("JAVA_HOME", System.getProperty("java.home"));
        environment.put("JVM_ARGS", "-Xmx512m -XX:TieredStopAtLevel=1 -Djava.io.tmpdir=" + tmp);
        environment.put("WLP_OUTPUT_DIR", tmp.resolve("wlp-output").toString());
        environment.put("LOG_DIR", logs.toString());
        // The server.xml variables http.host and http.port.
        environment.put("HTTP_HOST", "127.0.0.1");
        environment.put("HTTP_PORT", Integer.toString(port));
        environment.putAll(canaryEnvironment);
        return new LibertyServer(builder.start(), logs, port);
    }

    /**
     * Polls {@code /health/ready} until the canary's own check answers with a verdict: while the
     * application starts, Liberty answers 503 without it, and the check says STARTING until the
     * canary's startup observer has run.
     */
    Readiness awaitCanaryVerdict() throws IOException, InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        Readiness last = null;
        while (Instant.now().isBefore(deadline)) {
            ensureAlive();
            try {
                last = readiness();
                if (last.canary().isPresent() && !"STARTING".equals(last.state())) {
                    return last;
                }
            } catch (IOException notListeningYet) {
                // The HTTP endpoint is not up yet: poll again.
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("Open Liberty gave no canary verdict within " + BOOT_DEADLINE
                + "; last readiness: " + last + "\n" + tail());
    }

    /** Waits until the server reports that it has started (CWWKF0011I), whether the application started or not. */
    void awaitBooted() throws InterruptedException {
        Instant deadline = Instant.now().plus(BOOT_DEADLINE);
        while (Instant.now().isBefore(deadline)) {
            ensureAlive();
            if (log().contains("CWWKF0011I")) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        throw new AssertionError("Open Liberty did not start within " + BOOT_DEADLINE + "\n" + tail());
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

    /** The server log so far: Liberty's {@code messages.log}. */
    String log() {
        Path messages = logs.resolve("messages.log");
        try {
            return Files.exists(messages) ? new String(Files.readAllBytes(messages), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void ensureAlive() {
        if (!process.isAlive()) {
            throw new AssertionError("Open Liberty exited with " + process.exitValue() + "\n" + tail());
        }
    }

    private String tail() {
        String text = log();
        return "--- end of " + logs.resolve("messages.log") + " ---\n"
                + text.substring(Math.max(0, text.length() - 6000));
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** Stops the server and everything it started: SIGTERM first (Liberty quiesces), then a kill. */
    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle handle : tree) {
            try {
                handle.onExit().get(45, TimeUnit.SECONDS);
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
