package io.streamrec.local;

import io.streamrec.local.catalog.CatalogMain;
import io.streamrec.local.cluster.ClusterMain;
import io.streamrec.local.demo.DemoMain;
import io.streamrec.local.evaluate.EvaluateMain;
import io.streamrec.local.generator.GeneratorMain;
import io.streamrec.local.replay.ReplayMain;
import java.util.Arrays;

/**
 * The {@code ./streamrec} command: one entry point, a subcommand per task.
 */
public final class StreamrecCli {
    private StreamrecCli() {}

    static final String USAGE = String.join("\n",
            "usage: ./streamrec <command> [options]   (./streamrec <command> --help for its options)",
            "",
            "  demo       the whole system on this machine: Kafka, the trainer on Flink (dashboard :8081),",
            "             the serving node (:8080), fed by a synthetic clickstream or a replayed log",
            "  replay     publish a historical log (MovieLens, CSV, OTTO, event JSON) into Kafka",
            "  catalog    catalog load FILE: publish item attributes (MovieLens u.item, CSV, catalog JSON lines)",
            "             to the compacted topic 'catalog'",
            "  generate   publish the synthetic clickstream into Kafka",
            "  cluster    a real standalone Flink cluster, Kafka broker and serving node as separate processes:",
            "             cluster start|submit|status|taskmanager|kill-taskmanager|serve|stop",
            "  evaluate   how good is the model on a log: the real trainer under the seeds' protocol, a temporal",
            "             split and prequential; writes report.json and report.html",
            "");

    public static void main(String[] args) {
        if (args.length == 0 || args[0].equals("help") || args[0].equals("--help") || args[0].equals("-h")) {
            System.out.println(USAGE);
            System.exit(args.length == 0 ? 64 : 0);
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        switch (args[0]) {
            case "demo":
                DemoMain.main(rest);
                break;
            case "replay":
                ReplayMain.main(rest);
                break;
            case "catalog":
                CatalogMain.main(rest);
                break;
            case "generate":
                GeneratorMain.main(rest);
                break;
            case "cluster":
                ClusterMain.main(rest);
                break;
            case "evaluate":
                EvaluateMain.main(rest);
                break;
            default:
                System.err.println("unknown command '" + args[0] + "'\n" + USAGE);
                System.exit(64);
        }
    }
}
