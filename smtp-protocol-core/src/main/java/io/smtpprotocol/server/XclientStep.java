package io.smtpprotocol.server;

import io.netty.util.NetUtil;
import io.smtpprotocol.handler.SessionInfo;
import io.smtpprotocol.handler.SmtpHandler.Event;
import io.smtpprotocol.protocol.Command;
import io.smtpprotocol.protocol.Replies;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.protocol.Verb;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * XCLIENT, as Postfix's XCLIENT_README describes it: a trusted proxy or MTA names the client it
 * speaks for, and the session starts over as that client's. Its attributes replace the session's
 * remote address and port ({@code ADDR}, {@code PORT}), local address and port ({@code DESTADDR},
 * {@code DESTPORT}), client host name ({@code NAME}), greeting ({@code HELO}, a HELO or with {@code
 * PROTO=ESMTP} an EHLO) and authenticated user ({@code LOGIN}); an attribute left out keeps the
 * address or port, or forgets the greeting and user, as Postfix does. The handler's connect event
 * decides again on the new client, and then a new {@code 220} greeting goes out. TLS is kept.
 *
 * <p>The {@link CommandGate} has let only trusted peers through, outside a transaction.
 */
final class XclientStep {

  /** The EHLO keyword, with the attributes the engine takes. */
  static final String KEYWORD = "XCLIENT NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT";

  /** The host part of an address XCLIENT said is unavailable. */
  static final String UNKNOWN = "unknown";

  private final SmtpSession session;
  private final SessionHost host;
  private final TrustedAddresses trusted;
  private final ReplyWriter out;
  private final HandlerCalls calls;
  private final MessageIntake intake;

  XclientStep(
      SmtpSession session,
      SessionHost host,
      ReplyWriter out,
      HandlerCalls calls,
      MessageIntake intake) {
    this.session = session;
    this.host = host;
    this.trusted = host.xclientClients();
    this.out = out;
    this.calls = calls;
    this.intake = intake;
  }

  /** The EHLO reply for this client: with the XCLIENT keyword when it may send XCLIENT. */
  Reply ehlo(Reply reply, SessionInfo info) {
    if (!trusted.contains(info.remoteAddress())) {
      return reply;
    }
    List<String> lines = new ArrayList<>(reply.lines());
    lines.add(KEYWORD);
    return Reply.multiline(reply.code(), lines);
  }

  void xclient(Command.Xclient command) {
    SessionInfo client;
    try {
      client = client(session.info(), command.attributes());
    } catch (IllegalArgumentException e) {
      out.write(Reply.of(501, "5.5.4", "Bad " + e.getMessage() + " syntax"), Verb.XCLIENT);
      session.next();
      return;
    }
    intake.reset();
    session.info(client);
    out.event("{} XCLIENT: client {} ({})", client.remoteAddress(), client.clientName());
    calls.decide(
        Event.CONNECT,
        h -> h.connect(client),
        d -> {
          if (d.accepted()) {
            out.write(host.greetingReply(), Verb.XCLIENT);
            session.next();
          } else {
            Reply refused = d.replyOr(Replies.CONNECTION_REJECTED, Replies.CONNECTION_REJECTED);
            out.count(refused, Verb.XCLIENT);
            session.closeWith(refused);
          }
        });
  }

  /**
   * The session's info with the client the attributes name.
   *
   * @throws IllegalArgumentException naming the attribute whose address this JVM cannot take
   */
  static SessionInfo client(SessionInfo info, Map<String, String> attributes) {
    SocketAddress remote = info.remoteAddress();
    SocketAddress local = info.localAddress();
    String name = info.clientName();
    String helo = null;
    boolean esmtp = false;
    String user = null;
    for (Map.Entry<String, String> e : attributes.entrySet()) {
      String value = e.getValue();
      boolean unavailable = value.equals(Command.Xclient.UNAVAILABLE);
      switch (e.getKey()) {
        case "NAME" -> name = value.startsWith("[") ? null : value;
        case "ADDR" -> remote = withHost(remote, unavailable ? null : value, "ADDR");
        case "PORT" -> remote = withPort(remote, unavailable ? 0 : Integer.parseInt(value));
        case "DESTADDR" -> local = withHost(local, unavailable ? null : value, "DESTADDR");
        case "DESTPORT" -> local = withPort(local, unavailable ? 0 : Integer.parseInt(value));
        case "HELO" -> helo = unavailable ? null : value;
        case "PROTO" -> esmtp = value.equals("ESMTP");
        case "LOGIN" -> user = unavailable ? null : value;
        default -> {} // the parser lets no other name through
      }
    }
    Command.Hello hello =
        helo == null ? null : esmtp ? new Command.Ehlo(helo) : new Command.Helo(helo);
    return SessionInfos.namedByProxy(info, remote, local, name, hello, user);
  }

  /** The address with another IP address (null: unknown), keeping its port. */
  private static SocketAddress withHost(
      SocketAddress address, @Nullable String ip, String attribute) {
    int port = address instanceof InetSocketAddress a ? a.getPort() : 0;
    if (ip == null) {
      return InetSocketAddress.createUnresolved(UNKNOWN, port);
    }
    String literal = ip.regionMatches(true, 0, "IPV6:", 0, 5) ? ip.substring(5) : ip;
    InetAddress parsed = NetUtil.createInetAddressFromIpAddressString(literal); // no DNS
    if (parsed == null) {
      throw new IllegalArgumentException(attribute); // an IPv6 form Netty does not read
    }
    return new InetSocketAddress(parsed, port);
  }

  /** The address with another port, keeping its IP address (or unknown, for a socket path). */
  private static SocketAddress withPort(SocketAddress address, int port) {
    if (address instanceof InetSocketAddress a && !a.isUnresolved()) {
      return new InetSocketAddress(a.getAddress(), port);
    }
    return InetSocketAddress.createUnresolved(UNKNOWN, port);
  }
}
