package io.smtpprotocol.server;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The peers a listener trusts to speak for someone else (a load balancer sending a PROXY header, an
 * MTA sending XCLIENT): IP addresses and CIDR blocks ({@code 127.0.0.1}, {@code 10.0.0.0/8}, {@code
 * ::1}, {@code 2001:db8::/32}), and the word {@code unix} for peers on a Unix domain socket.
 * Entries are literals only: nothing is looked up in DNS.
 */
final class TrustedAddresses {

  private static final TrustedAddresses NONE = new TrustedAddresses(List.of(), false, List.of());

  private final List<IpSubnetFilterRule> rules;
  private final boolean unixSockets;
  private final List<String> entries;

  private TrustedAddresses(
      List<IpSubnetFilterRule> rules, boolean unixSockets, List<String> entries) {
    this.rules = rules;
    this.unixSockets = unixSockets;
    this.entries = entries;
  }

  static TrustedAddresses none() {
    return NONE;
  }

  /**
   * Parses the entries.
   *
   * @throws IllegalArgumentException for an entry that is not an IP literal, a CIDR block with a
   *     prefix in range, or {@code unix}
   */
  static TrustedAddresses of(Collection<String> entries) {
    List<IpSubnetFilterRule> rules = new ArrayList<>();
    boolean unix = false;
    List<String> kept = new ArrayList<>();
    for (String raw : entries) {
      String entry = raw == null ? "" : raw.strip();
      if (entry.equalsIgnoreCase("unix")) {
        unix = true;
      } else {
        rules.add(rule(entry));
      }
      kept.add(entry);
    }
    return kept.isEmpty()
        ? NONE
        : new TrustedAddresses(List.copyOf(rules), unix, List.copyOf(kept));
  }

  private static IpSubnetFilterRule rule(String entry) {
    int slash = entry.indexOf('/');
    String address = slash < 0 ? entry : entry.substring(0, slash);
    boolean v4 = NetUtil.isValidIpV4Address(address);
    if (!v4 && !NetUtil.isValidIpV6Address(address)) {
      throw new IllegalArgumentException("not an IP address or CIDR block: '" + entry + "'");
    }
    int max = v4 ? 32 : 128;
    int prefix = max;
    if (slash >= 0) {
      String bits = entry.substring(slash + 1);
      if (bits.isEmpty()
          || bits.length() > 3
          || !bits.chars().allMatch(c -> c >= '0' && c <= '9')) {
        throw new IllegalArgumentException("bad CIDR prefix in '" + entry + "'");
      }
      prefix = Integer.parseInt(bits);
      if (prefix > max) {
        throw new IllegalArgumentException("CIDR prefix over " + max + " in '" + entry + "'");
      }
    }
    return new IpSubnetFilterRule(
        NetUtil.createInetAddressFromIpAddressString(address), prefix, IpFilterRuleType.ACCEPT);
  }

  /** Whether nothing is trusted. */
  boolean isEmpty() {
    return entries.isEmpty();
  }

  /** Whether the peer at this address is trusted. */
  boolean contains(SocketAddress peer) {
    if (peer instanceof InetSocketAddress inet) {
      if (inet.getAddress() == null) {
        return false;
      }
      for (IpSubnetFilterRule rule : rules) {
        if (rule.matches(inet)) {
          return true;
        }
      }
      return false;
    }
    return unixSockets && peer != null;
  }

  @Override
  public String toString() {
    return String.join(", ", entries);
  }
}
