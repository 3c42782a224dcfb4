import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;

/**
 * The HTTP side of demo.sh, so that the demo needs nothing but a JDK (no curl):
 *
 * <pre>
 * java DemoClient.java await URL PID   poll URL until the canary's check gives a verdict, print it
 * java DemoClient.java get URL         print the status code and the body
 * java DemoClient.java post URL JSON   POST JSON, print the status code and the body
 * </pre>
 */
public class DemoClient {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "await" -> await(URI.create(args[1]), Long.parseLong(args[2]));
            case "get" -> print(send(HttpRequest.newBuilder(URI.create(args[1])).GET()));
            case "post" -> print(send(HttpRequest.newBuilder(URI.create(args[1]))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(args[2]))));
            default -> throw new IllegalArgumentException("unknown command " + args[0]);
        }
    }

    /**
     * While Payara Micro deploys the WAR it answers 503 with its own "No Application deployed"
     * check, and the canary's check says STARTING until the canary has run: wait for the verdict.
     */
    private static void await(URI readiness, long serverPid) throws Exception {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
        while (Instant.now().isBefore(deadline)) {
            if (ProcessHandle.of(serverPid).map(p -> !p.isAlive()).orElse(true)) {
                System.err.println("The server (pid " + serverPid + ") has exited; see its log.");
                System.exit(1);
            }
            try {
                HttpResponse<String> response = send(HttpRequest.newBuilder(readiness).GET());
                String body = response.body();
                if (body.contains("\"sqlite-persistence-canary\"") && !body.contains("No Application deployed")
                        && !body.contains("\"STARTING\"")) {
                    print(response);
                    return;
                }
            } catch (java.io.IOException notListeningYet) {
                // Not listening yet: poll again.
            }
            Thread.sleep(500);
        }
        System.err.println("No verdict from " + readiness + " within 5 minutes.");
        System.exit(1);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void print(HttpResponse<String> response) {
        System.out.println("HTTP " + response.statusCode() + " " + response.body());
    }
}
