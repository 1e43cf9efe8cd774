package io.smtpprotocol.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.netty.pkitesting.X509Bundle;
import io.smtpprotocol.testing.Requirements;
import io.smtpprotocol.testing.TestPki;
import java.util.List;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SslContextsTests {

  private static final X509Bundle server = TestPki.get().server;

  private static SSLEngine engine(SslContext context) {
    return context.newEngine(ByteBufAllocator.DEFAULT);
  }

  @ParameterizedTest
  @EnumSource(
      value = SslProvider.class,
      names = {"JDK", "OPENSSL"})
  void onlyTls13AndTls12AreEnabledByDefault(SslProvider provider) throws Exception {
    Requirements.require(
        provider == SslProvider.JDK || OpenSsl.isAvailable(),
        "the OpenSSL (netty-tcnative) engine");
    SslContext context =
        SslContexts.forServer(
            server.toKeyManagerFactory(),
            null,
            ClientAuth.NONE,
            SslContexts.DEFAULT_PROTOCOLS,
            null,
            provider);
    // Netty's OpenSSL engine always lists the "SSLv2Hello" pseudo-protocol: a hello format, not a
    // protocol.
    assertThat(engine(context).getEnabledProtocols())
        .filteredOn(p -> !p.equals("SSLv2Hello"))
        .containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
  }

  @Test
  void theOpenSslEngineIsChosenWhenItIsOnTheClassPath() throws Exception {
    SslContext context = SslContexts.forServer(server.toKeyManagerFactory());
    assertThat(SslContexts.defaultProvider())
        .isEqualTo(OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK);
    assertThat(context.isServer()).isTrue();
    // The tests run with netty-tcnative-boringssl-static on linux-x86_64: OpenSSL must load there.
    if (System.getProperty("os.name").equals("Linux")
        && System.getProperty("os.arch").equals("amd64")) {
      assertThat(OpenSsl.isAvailable())
          .as("OpenSSL engine loads: %s", OpenSsl.unavailabilityCause())
          .isTrue();
      assertThat(context.getClass().getSimpleName()).contains("OpenSsl");
    }
  }

  @Test
  void aKeyAndChainMakeAServerContext() throws Exception {
    SslContext context =
        SslContexts.forServer(server.getKeyPair().getPrivate(), server.getCertificate());
    assertThat(engine(context).getUseClientMode()).isFalse();
    assertThat(engine(context).getEnabledProtocols()).doesNotContain("TLSv1.1", "TLSv1", "SSLv3");
  }

  @Test
  void clientAuthPolicyIsTheContexts() throws Exception {
    SslContext required =
        SslContexts.forServer(
            server.toKeyManagerFactory(), server.toTrustManagerFactory(), ClientAuth.REQUIRE);
    SslContext optional =
        SslContexts.forServer(
            server.toKeyManagerFactory(), server.toTrustManagerFactory(), ClientAuth.OPTIONAL);
    assertThat(engine(required).getNeedClientAuth()).isTrue();
    assertThat(engine(optional).getWantClientAuth()).isTrue();
    assertThat(engine(optional).getNeedClientAuth()).isFalse();
  }

  @Test
  void noUsableProtocolIsRefused() {
    assertThatThrownBy(
            () ->
                SslContexts.forServer(
                    server.toKeyManagerFactory(),
                    null,
                    ClientAuth.NONE,
                    List.of(),
                    null,
                    SslProvider.JDK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("protocols");
  }

  @Test
  void tlsSettingsNeedAContextUnlessTlsIsOff() {
    assertThatThrownBy(() -> new TlsSettings(TlsMode.STARTTLS, null, false))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new TlsSettings(TlsMode.NONE, null, true))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(TlsSettings.NONE.enabled()).isFalse();
  }
}
