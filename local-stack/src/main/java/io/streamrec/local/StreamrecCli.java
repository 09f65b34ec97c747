package io.streamrec.local;

import io.streamrec.local.catalog.CatalogMain;
import io.streamrec.local.cli.CliGroup;
import io.streamrec.local.cluster.ClusterMain;
import io.streamrec.local.demo.DemoMain;
import io.streamrec.local.evaluate.EvaluateMain;
import io.streamrec.local.evaluate.TuneMain;
import io.streamrec.local.generator.GeneratorMain;
import io.streamrec.local.replay.ReplayMain;

/**
 * The {@code ./streamrec} command: one entry point, a subcommand per task, each with {@code --help}. Usage errors
 * exit with 64 and name the option at fault ({@code NAME: PROBLEM}).
 */
public final class StreamrecCli {
    private StreamrecCli() {}

    static final CliGroup COMMANDS = new CliGroup("streamrec", "streamrec <command> [options]   (./streamrec "
            + "<command> --help for its options)", "Durations are written 500ms, 5s, 2m, 1h or 7d; booleans true or "
            + "false (README.md, \"Configuration: values, names and errors\").")
            .command("demo", "the whole system on this machine: Kafka, the trainer on Flink (dashboard :8081),\n"
                    + "the serving node (:8080), fed by a synthetic clickstream or a replayed log", DemoMain::run)
            .command("replay", "publish a historical log (MovieLens, CSV, OTTO, event JSON) into Kafka",
                    ReplayMain::runMain)
            .command("catalog", "catalog load FILE: publish item attributes (MovieLens u.item, CSV, catalog JSON\n"
                    + "lines) to the compacted topic 'catalog'",
                    CatalogMain::runMain)
            .command("generate", "publish the synthetic clickstream into Kafka",
                    GeneratorMain::runMain)
            .command("cluster", "a real standalone Flink cluster, Kafka broker and serving node as separate\n"
                    + "processes: cluster start|submit|status|taskmanager|kill-taskmanager|serve|stop",
                    ClusterMain::run)
            .command("evaluate", "how good is the model on a log: the real trainer under the seeds' protocol, a\n"
                    + "temporal split, prequential and cold items; writes report.json and report.html",
                    (a, o, e) -> EvaluateMain.run(a, o, e, System.console() != null))
            .command("tune", "find trainer settings for a log: successive halving over the model's\n"
                    + "hyperparameters on the in-process simulator; writes best.properties", TuneMain::run);

    public static void main(String[] args) {
        System.exit(COMMANDS.run(args, System.out, System.err));
    }
}
