package io.smtpprotocol.protocol;

import org.jspecify.annotations.Nullable;

/** An SMTP command as parsed from one command line: one record per verb. */
public sealed interface Command {

  /** The verb in upper case, for example {@code "MAIL"}. */
  String verb();

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
    public String verb() {
      return "HELO";
    }
  }

  record Ehlo(String domain) implements Hello {
    @Override
    public String verb() {
      return "EHLO";
    }
  }

  record Lhlo(String domain) implements Hello {
    @Override
    public String verb() {
      return "LHLO";
    }
  }

  record MailFrom(ReversePath from, MailParameters parameters) implements Command {
    @Override
    public String verb() {
      return "MAIL";
    }
  }

  record RcptTo(Mailbox to, MailParameters parameters) implements Command {
    @Override
    public String verb() {
      return "RCPT";
    }
  }

  record Data() implements Command {
    @Override
    public String verb() {
      return "DATA";
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
    public String verb() {
      return "BDAT";
    }
  }

  record Rset() implements Command {
    @Override
    public String verb() {
      return "RSET";
    }
  }

  record Noop(String argument) implements Command {
    @Override
    public String verb() {
      return "NOOP";
    }
  }

  record Quit() implements Command {
    @Override
    public String verb() {
      return "QUIT";
    }
  }

  record Vrfy(String argument) implements Command {
    @Override
    public String verb() {
      return "VRFY";
    }
  }

  record Expn(String argument) implements Command {
    @Override
    public String verb() {
      return "EXPN";
    }
  }

  record Help(String argument) implements Command {
    @Override
    public String verb() {
      return "HELP";
    }
  }

  record StartTls() implements Command {
    @Override
    public String verb() {
      return "STARTTLS";
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
    public String verb() {
      return "AUTH";
    }
  }

  /** A verb the engine does not know; applications may handle it through the command event. */
  record Unknown(String verb, String argument) implements Command {}

  /** A known verb whose line could not be parsed: {@code reply} says why. */
  record Invalid(String verb, Reply reply) implements Command {}
}
