package io.streamrec.local.generator;

import io.streamrec.schema.catalog.CatalogRecord;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * The catalog attributes of the synthetic world, drawn so that content carries real signal about the hidden topics:
 * an item of topic t gets {@code categories.category} = the name of t (with probability {@code 1 - noise}; else
 * the name of a random topic, which may again be t), {@code categories.brand} = one of t's three own brands (85%)
 * or one of four brands shared by every topic, {@code numbers.price} log-normal around a per-topic median, and
 * {@code text.title} = an optional generic adjective and two or three words, each from t's vocabulary with
 * probability 0.8 (else from a random topic's). Topics beyond the named ones reuse a name and its vocabulary with a
 * suffix ({@code books-2}, {@code novel-2}), so every topic has its own name and words.
 *
 * <p>Deterministic: the same topics, noise and random stream give the same names, brands and records. Immutable
 * after construction; {@link #record} draws from the stream it is given.
 */
final class SyntheticCatalog {
    /** Shares of an item's brand: from its own topic, else shared. */
    static final double OWN_BRAND = 0.85;
    /** Probability that a title word comes from the item's own topic's vocabulary. */
    static final double OWN_WORD = 0.8;
    static final int BRANDS_PER_TOPIC = 3;
    static final int SHARED_BRANDS = 4;

    private static final String[] NAMES = {
        "books", "music", "garden", "kitchen", "toys", "sports", "outdoor", "beauty", "fashion", "shoes", "jewelry",
        "electronics", "computers", "phones", "games", "movies", "pets", "baby", "health", "automotive", "tools",
        "office", "art", "food"};
    private static final String[][] VOCABULARY = {
        {"novel", "paperback", "hardcover", "poetry", "atlas", "memoir", "cookbook", "anthology"},
        {"vinyl", "album", "guitar", "drum", "piano", "headphones", "ukulele", "songbook"},
        {"hose", "trowel", "planter", "seeds", "rake", "compost", "pruner", "lawn"},
        {"skillet", "kettle", "knife", "blender", "spatula", "teapot", "colander", "saucepan"},
        {"puzzle", "blocks", "doll", "robot", "kite", "marbles", "teddy", "racecar"},
        {"football", "racket", "dumbbell", "jersey", "helmet", "goggles", "treadmill", "yoga"},
        {"tent", "lantern", "backpack", "compass", "hammock", "canteen", "bivouac", "trekking"},
        {"lipstick", "serum", "mascara", "lotion", "perfume", "shampoo", "palette", "moisturizer"},
        {"jacket", "scarf", "dress", "denim", "hoodie", "blazer", "cardigan", "skirt"},
        {"sneaker", "boot", "sandal", "loafer", "slipper", "running", "heel", "insole"},
        {"necklace", "ring", "bracelet", "earrings", "pendant", "brooch", "locket", "anklet"},
        {"speaker", "charger", "cable", "adapter", "battery", "remote", "amplifier", "soundbar"},
        {"laptop", "keyboard", "monitor", "mouse", "router", "ssd", "webcam", "motherboard"},
        {"smartphone", "earbuds", "stylus", "powerbank", "holder", "sim", "dock", "screenguard"},
        {"console", "controller", "joystick", "cartridge", "boardgame", "dice", "chess", "cards"},
        {"bluray", "dvd", "boxset", "documentary", "thriller", "comedy", "western", "anime"},
        {"leash", "collar", "kibble", "aquarium", "catnip", "litter", "birdcage", "chewtoy"},
        {"stroller", "diaper", "pacifier", "crib", "bib", "rattle", "onesie", "babybottle"},
        {"vitamin", "bandage", "thermometer", "inhaler", "supplement", "massager", "scale", "toothbrush"},
        {"tire", "wiper", "dashcam", "jumper", "motoroil", "carseat", "sparkplug", "floormat"},
        {"hammer", "drill", "wrench", "screwdriver", "saw", "pliers", "toolbox", "level"},
        {"stapler", "notebook", "binder", "pen", "marker", "envelope", "planner", "desk"},
        {"canvas", "easel", "brush", "acrylic", "sketchbook", "charcoal", "pastel", "watercolor"},
        {"coffee", "chocolate", "tea", "pasta", "olives", "honey", "granola", "spices"}};
    private static final String[] GENERIC = {
        "classic", "premium", "compact", "deluxe", "essential", "pro", "mini", "original", "everyday", "ultra",
        "vintage", "eco", "smart", "travel", "family", "limited"};
    private static final String[] SYLLABLES = {
        "ka", "lo", "mi", "ra", "zen", "tor", "vi", "no", "sa", "ul", "dex", "bri", "qu", "fen", "mo", "ta", "li",
        "gor", "pa", "el", "ne", "ko", "ru", "ax", "wo"};

    private final int topics;
    private final double noise;
    private final String[] names;
    private final String[][] words;
    private final String[][] brands;
    private final String[] sharedBrands;
    private final double[] medianPrice;
    private final Map<String, Integer> topicByName = new HashMap<>();

    SyntheticCatalog(int topics, double noise, SplittableRandom rng) {
        this.topics = topics;
        this.noise = noise;
        this.names = new String[topics];
        this.words = new String[topics][];
        for (int t = 0; t < topics; t++) {
            int base = t % NAMES.length;
            String suffix = t < NAMES.length ? "" : "-" + (t / NAMES.length + 1);
            names[t] = NAMES[base] + suffix;
            words[t] = new String[VOCABULARY[base].length];
            for (int w = 0; w < words[t].length; w++) {
                words[t][w] = VOCABULARY[base][w] + suffix;
            }
            topicByName.put(names[t], t);
        }
        Set<String> used = new HashSet<>();
        this.brands = new String[topics][BRANDS_PER_TOPIC];
        for (int t = 0; t < topics; t++) {
            for (int b = 0; b < BRANDS_PER_TOPIC; b++) {
                brands[t][b] = brandName(rng, used);
            }
        }
        this.sharedBrands = new String[SHARED_BRANDS];
        for (int b = 0; b < SHARED_BRANDS; b++) {
            sharedBrands[b] = brandName(rng, used);
        }
        // Median prices per topic spread over about a factor of 5 either way of 30 (cheap food, dear computers).
        this.medianPrice = new double[topics];
        for (int t = 0; t < topics; t++) {
            medianPrice[t] = Math.exp(Math.log(30) + 0.7 * rng.nextGaussian());
        }
    }

    /** A new, capitalized name of two or three syllables (e.g. "Kalozen"); unique among {@code used}. */
    private static String brandName(SplittableRandom rng, Set<String> used) {
        while (true) {
            StringBuilder b = new StringBuilder();
            int n = 2 + rng.nextInt(2);
            for (int i = 0; i < n; i++) {
                b.append(SYLLABLES[rng.nextInt(SYLLABLES.length)]);
            }
            String name = Character.toUpperCase(b.charAt(0)) + b.substring(1);
            if (used.add(name)) {
                return name;
            }
        }
    }

    String topicName(int topic) {
        return names[topic];
    }

    /** The topic a category name stands for, or -1. */
    int topicOfName(String name) {
        Integer t = topicByName.get(name);
        return t == null ? -1 : t;
    }

    /** Topic {@code topic}'s own brands. */
    List<String> brandsOf(int topic) {
        return List.of(brands[topic]);
    }

    List<String> sharedBrands() {
        return List.of(sharedBrands);
    }

    /** Topic {@code topic}'s title vocabulary. */
    List<String> vocabularyOf(int topic) {
        return List.of(words[topic]);
    }

    /** A log-normal price around the topic's median; {@code gaussian} is a standard normal draw. Two decimals. */
    double price(int topic, double gaussian) {
        return Math.max(0.01, Math.round(medianPrice[topic] * Math.exp(0.8 * gaussian) * 100) / 100.0);
    }

    /**
     * The record of an available item of {@code topic} with {@code price}; categories, brand and title drawn from
     * {@code rng}.
     *
     * @param updatedAt epoch ms for {@code updated_at}, or null
     */
    CatalogRecord record(String itemId, int topic, double price, Long updatedAt, SplittableRandom rng) {
        int categoryTopic = rng.nextDouble() < noise ? rng.nextInt(topics) : topic;
        String brand = rng.nextDouble() < OWN_BRAND ? brands[topic][rng.nextInt(BRANDS_PER_TOPIC)]
                : sharedBrands[rng.nextInt(SHARED_BRANDS)];
        StringBuilder title = new StringBuilder();
        if (rng.nextDouble() < 0.5) {
            title.append(GENERIC[rng.nextInt(GENERIC.length)]);
        }
        int n = 2 + rng.nextInt(2);
        for (int i = 0; i < n; i++) {
            int from = rng.nextDouble() < OWN_WORD ? topic : rng.nextInt(topics);
            if (title.length() > 0) {
                title.append(' ');
            }
            title.append(words[from][rng.nextInt(words[from].length)]);
        }
        String text = Character.toUpperCase(title.charAt(0)) + title.substring(1);
        return new CatalogRecord(itemId, true,
                Map.of("category", List.of(names[categoryTopic]), "brand", List.of(brand)),
                Map.of("title", text), Map.of("price", price), updatedAt);
    }

    /** The same attributes, {@code "available": false}, stamped {@code at}. */
    static CatalogRecord retire(CatalogRecord r, long at) {
        return new CatalogRecord(r.itemId(), false, r.categories(), r.text(), r.numbers(), at);
    }
}
