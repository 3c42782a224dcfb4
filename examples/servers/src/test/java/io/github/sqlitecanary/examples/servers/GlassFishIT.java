package io.github.sqlitecanary.examples.servers;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The deploy cycle on GlassFish, which has no MicroProfile Health: no readiness check holds traffic
 * back, so the operator sets {@code SQLITE_CANARY_ON_FAILURE=fail-startup} (it needs only CDI and
 * MicroProfile Config) and a DOWN verdict fails the deployment. The steps are DeployCycle's; what is
 * checked is the deployment, the application's answers and the log, and that {@code /health/ready}
 * is a 404 throughout.
 */
class GlassFishIT {

    private static final String NOTE = "written after the redeploy";
    /**
     * Three looks of the autodeployer, which looks every 2 seconds (das-config
     * autodeploy-polling-interval-in-seconds, by default).
     */
    private static final int AUTODEPLOY_WAIT_SECONDS = 6;

    @Test
    void failsTheDeploymentUntilTheRedeployWhichVerifiesTheDatabase() throws Exception {
        Path work = DeployCycle.freshDirectory("glassfish/deploy-cycle");
        Path database = Files.createDirectories(work.resolve("volume")).resolve("notes.db");
        Path firstContainer = work.resolve("container-1");
        Path firstTmp = firstContainer.resolve("tmp");
        Path lock = firstTmp.resolve("sqlite-persistence-canary");
        Path autodeployed = firstContainer.resolve("domains/domain1/autodeploy");

        // Fresh volume, fresh container: the first production deploy. The application never starts,
        // so no note can be written now: it is written after the redeploy.
        try (GlassFish server = GlassFish.boot(firstContainer, work.resolve("1-first-deploy.log"),
                DeployCycle.failStartup(database, firstTmp))) {
            Step step = observe(server, "first deploy (fresh volume, fresh tmp, on-failure=fail-startup)",
                    server.awaitAutodeployOutcome(0));
            assertDeploymentFailed(step, "FIRST_BOOT", database,
                    () -> assertTrue(step.log().contains("redeploy now"), "the guidance is in the server log"),
                    () -> assertTrue(Files.exists(database), "the database is on the volume"),
                    () -> assertTrue(Files.isDirectory(lock) && Files.list(lock).findAny().isPresent(),
                            "the lock is in the container's tmp: " + lock));
            DeployCycle.assertListensOnLoopbackOnly(server);
        }

        // Same volume, same container (its tmp kept): a restart, not a redeploy. The autodeployer
        // remembers its failure (autodeploy/notes.war_deployFailed) and does not try the WAR again:
        // the application stays undeployed and the canary does not run. An operator who tries the
        // same WAR again (a newer file in autodeploy/, as here, or asadmin deploy) gets the canary's
        // AWAITING_REDEPLOY: the lock in the kept tmp says this is not a new deploy.
        try (GlassFish server = GlassFish.boot(firstContainer, work.resolve("2-restart.log"),
                DeployCycle.failStartup(database, firstTmp))) {
            server.awaitStarted();
            TimeUnit.SECONDS.sleep(AUTODEPLOY_WAIT_SECONDS); // time for the autodeployer to take the WAR, if it would
            HttpResponse<String> notRetried = server.get("notes/api/notes");
            String logBeforeRetry = server.log();
            assertAll(
                    () -> assertEquals(404, notRetried.statusCode(), "the application is not deployed"),
                    () -> assertTrue(Files.exists(autodeployed.resolve("notes.war_deployFailed")),
                            "the autodeployer's failure marker is kept"),
                    () -> assertFalse(logBeforeRetry.contains("sqlite-persistence-canary"),
                            "the canary did not run: the WAR was not tried again"));

            Files.setLastModifiedTime(autodeployed.resolve("notes.war"), FileTime.from(Instant.now()));
            Step step = observe(server, "restart (same volume, same tmp, on-failure=fail-startup; the WAR tried again)",
                    server.awaitAutodeployOutcome(logBeforeRetry.length()));
            assertDeploymentFailed(step, "AWAITING_REDEPLOY", database);
        }

        // Same volume, a new container (fresh server files, fresh tmp): a redeploy onto the kept volume.
        Path secondContainer = work.resolve("container-2");
        try (GlassFish server = GlassFish.boot(secondContainer, work.resolve("3-redeploy.log"),
                DeployCycle.failStartup(database, secondContainer.resolve("tmp")))) {
            String outcome = server.awaitAutodeployOutcome(0);
            // The first note: the application has not served before.
            HttpResponse<String> created = server.postJson("notes/api/notes", "{\"text\":\"" + NOTE + "\"}");
            Step step = observe(server, "redeploy (same volume, fresh tmp, on-failure=fail-startup)", outcome);
            assertAll(
                    () -> assertTrue(outcome.contains("Successfully autodeployed"), outcome),
                    () -> assertTrue(step.log().contains("sqlite-persistence-canary VERIFIED (UP) " + database),
                            "the verdict is in the server log"),
                    () -> assertEquals(201, created.statusCode(), created::body),
                    () -> assertEquals(200, step.notes().statusCode(), step.notes()::body),
                    () -> assertTrue(step.notes().body().contains(NOTE), "the note is served: " + step.notes().body()),
                    () -> assertEquals(404, step.readiness().status(),
                            "no MicroProfile Health on GlassFish, even when deployed"));
        }
    }

    /** What a step leaves to see: the autodeployer's outcome, the application's and readiness's answers, the log. */
    private record Step(String deployment, HttpResponse<String> notes, Readiness readiness, String log) {
    }

    /**
     * Looks at the server after the autodeployer's outcome and prints DeployCycle's line, with what
     * stands in for readiness here: the application's answer and the deployment.
     */
    private static Step observe(GlassFish server, String step, String deployment)
            throws IOException, InterruptedException {
        HttpResponse<String> notes = server.get("notes/api/notes");
        Readiness readiness = server.readiness();
        System.out.printf("%s, %s: %s %d (no readiness check); %s %d; %s%n", server.name(), step,
                server.readinessUri(), readiness.status(), server.applicationUri().resolve("notes/api/notes"),
                notes.statusCode(), deployment);
        return new Step(deployment, notes, readiness, server.log());
    }

    /** The canary's DOWN verdict failed the deployment: nothing is served, and the log says why. */
    private static void assertDeploymentFailed(Step step, String state, Path database, Executable... more) {
        List<Executable> checks = new ArrayList<>(List.of(
                () -> assertTrue(step.deployment().contains("Autodeploy failed"), step.deployment()),
                () -> assertEquals(404, step.notes().statusCode(), "the application is not deployed"),
                () -> assertEquals(404, step.readiness().status(), "no MicroProfile Health on GlassFish"),
                () -> assertTrue(step.log().contains("CDI deployment failure: sqlite-persistence-canary " + state + ": "),
                        "the deployment failed on the canary's verdict"),
                () -> assertTrue(step.log().contains("sqlite-persistence-canary " + state + " (DOWN) " + database),
                        "the verdict is in the server log")));
        checks.addAll(List.of(more));
        assertAll(checks);
    }
}
