package io.smtpprotocol.server;

import io.smtpprotocol.auth.SaslMechanism;
import io.smtpprotocol.protocol.Reply;
import io.smtpprotocol.tls.TlsMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a server announces, computed once from its configuration: the greeting, the HELO reply, the
 * EHLO reply on a plaintext and on a TLS session (its keywords are also what {@link
 * SmtpServer#extensions(boolean)} shows), and the SASL mechanisms it offers.
 */
record ServerReplies(
    Reply greeting,
    Reply helo,
    Reply ehloPlain,
    Reply ehloTls,
    Map<String, SaslMechanism> mechanisms) {

  static ServerReplies of(ServerConfig config) {
    Reply greeting =
        Reply.of(220, config.domain() + (config.lmtp() ? " LMTP " : " ESMTP ") + config.greeting());
    Reply helo = Reply.of(250, config.domain());
    List<String> ehlo = new ArrayList<>();
    ehlo.add(config.domain());
    if (config.pipelining()) {
      ehlo.add("PIPELINING");
    }
    ehlo.add("SIZE " + config.limits().maxMessageSize());
    if (config.eightBitMime()) {
      ehlo.add("8BITMIME");
    }
    ehlo.add("ENHANCEDSTATUSCODES");
    if (config.smtpUtf8()) {
      ehlo.add("SMTPUTF8");
    }
    if (config.chunking()) {
      ehlo.add("CHUNKING");
    }
    if (config.dsn()) {
      ehlo.add("DSN");
    }
    // RFC 9422: the limits this server applies in every session
    int mailMax = config.limits().maxMessagesPerSession();
    ehlo.add(
        "LIMITS RCPTMAX="
            + config.limits().maxRecipients()
            + (mailMax > 0 ? " MAILMAX=" + mailMax : ""));
    Map<String, SaslMechanism> offered = new LinkedHashMap<>();
    for (String name : config.auth().offeredMechanisms()) {
      offered.put(name, config.auth().mechanism(name).orElseThrow());
    }
    String authLine = offered.isEmpty() ? null : "AUTH " + String.join(" ", offered.keySet());
    List<String> plain = new ArrayList<>(ehlo);
    if (config.tls().mode() == TlsMode.STARTTLS) {
      plain.add("STARTTLS");
    }
    if (authLine != null && config.auth().allowInsecure()) {
      plain.add(authLine);
    }
    List<String> secure = new ArrayList<>(ehlo);
    if (config.requireTls()) {
      secure.add("REQUIRETLS");
    }
    if (authLine != null) {
      secure.add(authLine);
    }
    return new ServerReplies(
        greeting,
        helo,
        Reply.multiline(250, plain),
        Reply.multiline(250, secure),
        Map.copyOf(offered));
  }

  /** The EHLO reply on a plaintext connection, or on an encrypted one. */
  Reply ehlo(boolean tls) {
    return tls ? ehloTls : ehloPlain;
  }

  /** The EHLO keywords with their parameters, without the first line (the domain). */
  List<String> extensions(boolean tls) {
    List<String> lines = ehlo(tls).lines();
    return lines.subList(1, lines.size());
  }
}
