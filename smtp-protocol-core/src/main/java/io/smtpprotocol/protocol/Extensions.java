package io.smtpprotocol.protocol;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The service extensions a server announced in its EHLO or LHLO reply (RFC 5321 section 4.1.1.1):
 * the first line names the server, each further line is a keyword with optional parameters.
 *
 * @param domain what the server called itself on the first line (its first word)
 * @param keywords keyword (upper case) to its parameters, in the order announced
 */
public record Extensions(String domain, Map<String, List<String>> keywords) {

  /** What a server that answered HELO (or nothing) offers: no extensions. */
  public static final Extensions NONE = new Extensions("", Map.of());

  public Extensions {
    Map<String, List<String>> copy = new LinkedHashMap<>();
    keywords.forEach((k, v) -> copy.put(k.toUpperCase(Locale.ROOT), List.copyOf(v)));
    keywords = Collections.unmodifiableMap(copy);
  }

  /** Reads the extensions from a positive EHLO or LHLO reply. */
  public static Extensions parse(Reply ehloReply) {
    List<String> lines = ehloReply.lines();
    String first = lines.get(0).strip();
    int sp = first.indexOf(' ');
    String domain = sp < 0 ? first : first.substring(0, sp);
    Map<String, List<String>> map = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      String[] words = line.strip().split(" +");
      if (words.length == 0 || words[0].isEmpty()) {
        continue;
      }
      String keyword = words[0].toUpperCase(Locale.ROOT);
      // old servers announce "AUTH=LOGIN PLAIN"; treat it as AUTH
      if (keyword.startsWith("AUTH=")) {
        List<String> params = new ArrayList<>();
        params.add(words[0].substring(5));
        params.addAll(Arrays.asList(words).subList(1, words.length));
        map.merge("AUTH", params, Extensions::union);
        continue;
      }
      map.merge(keyword, Arrays.asList(words).subList(1, words.length), Extensions::union);
    }
    return new Extensions(domain, map);
  }

  private static List<String> union(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    for (String s : b) {
      if (!all.contains(s)) {
        all.add(s);
      }
    }
    return all;
  }

  /** Whether the keyword was announced (case-insensitive). */
  public boolean has(String keyword) {
    return keywords.containsKey(keyword.toUpperCase(Locale.ROOT));
  }

  /** The parameters of the keyword, empty when it has none or was not announced. */
  public List<String> parameters(String keyword) {
    return keywords.getOrDefault(keyword.toUpperCase(Locale.ROOT), List.of());
  }

  /**
   * The largest message the server takes (RFC 1870): empty when SIZE was not announced or announced
   * without a limit (or with 0, which means no fixed limit).
   */
  public OptionalLong maxSize() {
    List<String> p = parameters("SIZE");
    if (p.isEmpty()) {
      return OptionalLong.empty();
    }
    try {
      long size = Long.parseLong(p.get(0));
      return size > 0 ? OptionalLong.of(size) : OptionalLong.empty();
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  /** The SASL mechanisms offered by AUTH (RFC 4954), in upper case. */
  public List<String> authMechanisms() {
    return parameters("AUTH").stream().map(s -> s.toUpperCase(Locale.ROOT)).distinct().toList();
  }

  /** RFC 2920. */
  public boolean pipelining() {
    return has("PIPELINING");
  }

  /** RFC 3030 BDAT. */
  public boolean chunking() {
    return has("CHUNKING");
  }

  /** RFC 6531. */
  public boolean smtpUtf8() {
    return has("SMTPUTF8");
  }

  /** RFC 6152. */
  public boolean eightBitMime() {
    return has("8BITMIME");
  }

  /** RFC 3461. */
  public boolean dsn() {
    return has("DSN");
  }

  /** RFC 2034. */
  public boolean enhancedStatusCodes() {
    return has("ENHANCEDSTATUSCODES");
  }

  /** RFC 3207. */
  public boolean startTls() {
    return has("STARTTLS");
  }
}
