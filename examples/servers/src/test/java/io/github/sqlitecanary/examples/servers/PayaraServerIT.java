package io.github.sqlitecanary.examples.servers;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** The deploy cycle on PayaraServer. */
class PayaraServerIT extends DeployCycle {

    @Override
    AppServer boot(Path container, Path log, Map<String, String> canaryEnvironment) throws IOException {
        return PayaraServer.boot(container, log, canaryEnvironment);
    }

    @Override
    String directoryName() {
        return "payara-server";
    }
}
