package io.smtpprotocol.protocol;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** An SMTP command as parsed from one command line: one record per verb. */
public sealed interface Command {

  /**
   * The verb this command is dispatched on: for {@link Unknown} {@link Verb#UNKNOWN}, and for
   * {@link Invalid} its verb if the engine knows it, else {@link Verb#UNKNOWN}.
   */
  Verb kind();

  /** The verb in upper case, for example {@code "MAIL"}. */
  default String verb() {
    return kind().name();
  }

  /** HELO, EHLO or LHLO. */
  sealed interface Hello extends Command permits Helo, Ehlo, Lhlo {
    /** The host name or address literal the client gave. */
    String domain();

    /** Whether this greeting enables ESMTP extensions (EHLO, LHLO). */
    default boolean extended() {
      return !(this instanceof Helo);
    }
  }

  record Helo(String domain) implements Hello {
    @Override
    public Verb kind() {
      return Verb.HELO;
    }
  }

  record Ehlo(String domain) implements Hello {
    @Override
    public Verb kind() {
      return Verb.EHLO;
    }
  }

  record Lhlo(String domain) implements Hello {
    @Override
    public Verb kind() {
      return Verb.LHLO;
    }
  }

  record MailFrom(ReversePath from, MailParameters parameters) implements Command {
    @Override
    public Verb kind() {
      return Verb.MAIL;
    }
  }

  record RcptTo(Mailbox to, MailParameters parameters) implements Command {
    @Override
    public Verb kind() {
      return Verb.RCPT;
    }
  }

  record Data() implements Command {
    @Override
    public Verb kind() {
      return Verb.DATA;
    }
  }

  /** BDAT (RFC 3030): a chunk of {@code size} octets follows the command line. */
  record Bdat(long size, boolean last) implements Command {
    public Bdat {
      if (size < 0) {
        throw new IllegalArgumentException("size must not be negative: " + size);
      }
    }

    @Override
    public Verb kind() {
      return Verb.BDAT;
    }
  }

  record Rset() implements Command {
    @Override
    public Verb kind() {
      return Verb.RSET;
    }
  }

  record Noop(String argument) implements Command {
    @Override
    public Verb kind() {
      return Verb.NOOP;
    }
  }

  record Quit() implements Command {
    @Override
    public Verb kind() {
      return Verb.QUIT;
    }
  }

  record Vrfy(String argument) implements Command {
    @Override
    public Verb kind() {
      return Verb.VRFY;
    }
  }

  record Expn(String argument) implements Command {
    @Override
    public Verb kind() {
      return Verb.EXPN;
    }
  }

  record Help(String argument) implements Command {
    @Override
    public Verb kind() {
      return Verb.HELP;
    }
  }

  record StartTls() implements Command {
    @Override
    public Verb kind() {
      return Verb.STARTTLS;
    }
  }

  /**
   * AUTH (RFC 4954).
   *
   * @param mechanism the SASL mechanism in upper case
   * @param initialResponse the base64 initial response, {@code "="} for an empty one, or null
   */
  record Auth(String mechanism, @Nullable String initialResponse) implements Command {
    @Override
    public Verb kind() {
      return Verb.AUTH;
    }
  }

  /**
   * XCLIENT, as Postfix's XCLIENT_README describes it: a trusted proxy or MTA names the client it
   * speaks for. The parser has checked every attribute's name and value.
   *
   * @param attributes attribute name in upper case ({@code NAME}, {@code ADDR}, {@code PORT},
   *     {@code PROTO}, {@code HELO}, {@code LOGIN}, {@code DESTADDR}, {@code DESTPORT}) to its
   *     xtext-decoded value, in the order sent; a repeated name keeps its last value. {@link
   *     #UNAVAILABLE} and {@link #TEMPUNAVAIL} and the {@code PROTO} value are in upper case, an
   *     IPv6 address keeps its {@code IPV6:} prefix.
   */
  record Xclient(Map<String, String> attributes) implements Command {

    /** The value of an attribute whose information is not available. */
    public static final String UNAVAILABLE = "[UNAVAILABLE]";

    /** The value of {@code NAME} when the client's host name lookup failed for now. */
    public static final String TEMPUNAVAIL = "[TEMPUNAVAIL]";

    public Xclient {
      if (attributes.isEmpty()) {
        throw new IllegalArgumentException("XCLIENT needs at least one attribute");
      }
      attributes = Collections.unmodifiableMap(new LinkedHashMap<>(attributes));
    }

    @Override
    public Verb kind() {
      return Verb.XCLIENT;
    }
  }

  /** A verb the engine does not know; applications may handle it through the command event. */
  record Unknown(String verb, String argument) implements Command {
    @Override
    public Verb kind() {
      return Verb.UNKNOWN;
    }
  }

  /** A known verb whose line could not be parsed: {@code reply} says why. */
  record Invalid(String verb, Reply reply) implements Command {
    @Override
    public Verb kind() {
      return Verb.command(verb);
    }
  }
}
