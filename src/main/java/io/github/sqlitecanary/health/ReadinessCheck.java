package io.github.sqlitecanary.health;

import io.github.sqlitecanary.CanaryOptions.OnFailure;
import io.github.sqlitecanary.CanaryReport;
import io.github.sqlitecanary.cdi.CanaryStartup;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.lang.System.Logger.Level;
import java.util.List;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The readiness check {@value #NAME}: DOWN, with the guidance in its data, while any database is
 * DOWN. It reports the verdict of {@link CanaryStartup} and never throws.
 *
 * <p>With one database the data holds {@code state}, {@code database}, {@code lock},
 * {@code filesystem}, {@code message}, {@code platform}, {@code deploy-id} and {@code warnings}; with several, each key is prefixed
 * with {@code db1.}, {@code db2.}, and so on.
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {

    /** The check's name in the health output. */
    public static final String NAME = "sqlite-persistence-canary";
    private static final System.Logger LOG = System.getLogger("io.github.sqlitecanary");

    @Inject
    CanaryStartup startup;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
        try {
            Optional<CanaryStartup.Result> current = startup.current();
            if (current.isEmpty()) {
                // Not a verdict: the application has not reached its start-up event yet.
                return response.down().withData("state", "STARTING")
                        .withData("message", "The canary has not run yet: the application is still starting.")
                        .build();
            }
            CanaryStartup.Result result = current.get();
            List<CanaryReport> reports = result.reports();
            for (int i = 0; i < reports.size(); i++) {
                addReport(response, reports.size() == 1 ? "" : "db" + (i + 1) + ".", reports.get(i));
            }
            if (result.onFailure() == OnFailure.LOG) {
                response.withData("on-failure", OnFailure.LOG.value());
            }
            return response.status(result.ready()).build();
        } catch (RuntimeException | LinkageError e) {
            LOG.log(Level.WARNING, "sqlite-persistence-canary: the readiness check failed (" + e
                    + "); it answers DOWN until it can report a verdict");
            LOG.log(Level.DEBUG, "sqlite-persistence-canary readiness check failure", e);
            return HealthCheckResponse.named(NAME).down().withData("state", "ERROR")
                    .withData("message", "The readiness check failed: " + e.getClass().getSimpleName()
                            + ". The application's log has the details.").build();
        }
    }

    private static void addReport(HealthCheckResponseBuilder response, String prefix, CanaryReport report) {
        response.withData(prefix + "state", report.state().name())
                .withData(prefix + "database", report.database())
                .withData(prefix + "lock", report.lock())
                .withData(prefix + "filesystem", report.filesystem())
                .withData(prefix + "message", report.message())
                .withData(prefix + "platform", report.platform())
                .withData(prefix + "deploy-id", report.deployId());
        if (!report.warnings().isEmpty()) {
            response.withData(prefix + "warnings", String.join("; ", report.warnings()));
        }
    }
}
