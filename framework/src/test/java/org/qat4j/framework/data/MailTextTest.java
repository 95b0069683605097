package org.qat4j.framework.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class MailTextTest {

    private static byte[] mail(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    @Test
    void plainMessageIsSubjectAndBodyWithHeadersDroppedAndWhitespaceCollapsed() throws Exception {
        String text = MailText.of(mail("""
                From someone@example.com  Thu Aug 22 12:36:23 2002
                Received: from localhost
                \tby example.com with SMTP
                From: Someone <someone@example.com>
                Subject: Re: the new
                  release
                To: list@example.com

                Hello   all,

                \tthe build is green.
                """));
        assertEquals("Re: the new release Hello all, the build is green.", text);
    }

    @Test
    void crlfLineEndingsAndEncodedWordsInTheSubject() throws Exception {
        String text = MailText.of(mail("Subject: =?iso-8859-1?Q?Caf=E9_cr=E8me?= =?utf-8?B?4oKsIDEw?=\r\n"
                + "Content-Type: text/plain\r\n\r\nok\r\n"));
        assertEquals("Café crème€ 10 ok", text);
    }

    @Test
    void alternativeTakesThePlainRenderingAndUndoesQuotedPrintable() throws Exception {
        String text = MailText.of(mail("""
                Subject: offer
                MIME-Version: 1.0
                Content-Type: multipart/alternative; boundary="==b1=="

                This is a multi-part message in MIME format.
                --==b1==
                Content-Type: text/plain; charset=iso-8859-1
                Content-Transfer-Encoding: quoted-printable

                Only =A310 to=
                day, caf=E9 =3D fun
                --==b1==
                Content-Type: text/html

                <p>HTML version</p>
                --==b1==--
                epilogue
                """));
        assertEquals("offer Only £10 today, café = fun", text);
    }

    @Test
    void mixedPartsContributeTheirTextAndBase64HtmlIsRendered() throws Exception {
        String html = "<html><head><style>p {color: red}</style><title>Deal</title></head><body>"
                + "<p>Buy&nbsp;now &amp; save&#33;</p><div>V<b></b>iagra <!-- hidden --> r&eacute;duit</div>"
                + "<script>alert(1)</script></body></html>";
        String b64 = Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.ISO_8859_1));
        String text = MailText.of(mail("Subject: deal\nContent-Type: multipart/mixed; boundary=XYZ\n\n"
                + "--XYZ\nContent-Type: text/html; charset=\"iso-8859-1\"\nContent-Transfer-Encoding: base64\n\n"
                + b64 + "\n--XYZ\nContent-Type: image/gif\nContent-Transfer-Encoding: base64\n\nR0lGODlhAQABAAAAACw=\n"
                + "--XYZ\n\nplain part without headers\n--XYZ--\n"));
        assertEquals("deal Deal Buy now & save! Viagra réduit plain part without headers", text);
    }

    @Test
    void plainTextThatIsReallyHtmlIsRendered() throws Exception {
        assertEquals("hi Click here now", MailText.of(mail(
                "Subject: hi\n\n<HTML><BODY><A HREF=\"http://x\">Click</A> here<BR>now</BODY></HTML>\n")));
    }

    @Test
    void charsetsAndTheirFallbacks() throws Exception {
        byte[] koi8 = "Привет мир".getBytes(Charset.forName("KOI8-R"));
        assertEquals("x Привет мир", MailText.of(concat(
                mail("Subject: x\nContent-Type: text/plain; charset=koi8-r\nContent-Transfer-Encoding: 8bit\n\n"),
                koi8)));
        byte[] utf8 = "naïve €".getBytes(StandardCharsets.UTF_8);
        assertEquals("x naïve €", MailText.of(concat(
                mail("Subject: x\nContent-Type: text/plain; charset=bogus-42\n\n"), utf8)),
                "an unknown charset falls back to UTF-8 when the bytes are UTF-8");
        byte[] cp1252 = "smart “quotes” and café".getBytes(Charset.forName("windows-1252"));
        assertEquals("x smart “quotes” and café", MailText.of(concat(mail("Subject: x\n\n"), cp1252)),
                "no charset and invalid UTF-8: windows-1252");
        assertEquals("x “quotes”", MailText.of(concat(
                mail("Subject: x\nContent-Type: text/plain; charset=us-ascii\n\n"),
                "“quotes”".getBytes(Charset.forName("windows-1252")))), "US-ASCII is read as windows-1252");
    }

    @Test
    void aMailingListFooterAfterBase64IsIgnored() throws Exception {
        String b64 = Base64.getMimeEncoder().encodeToString(
                "The offer ends soon.".getBytes(StandardCharsets.US_ASCII));
        assertEquals("x The offer ends soon.", MailText.of(mail("Subject: x\nContent-Transfer-Encoding: base64\n\n"
                + b64 + "\n\n_______________\nsome-list mailing list\nhttp://lists.example.com/\n")));
    }

    @Test
    void attachedMessagesContributeSubjectAndText() throws Exception {
        assertEquals("fwd see below inner subject inner body", MailText.of(mail("""
                Subject: fwd
                Content-Type: multipart/mixed; boundary="b"

                --b

                see below
                --b
                Content-Type: message/rfc822

                From: a@example.com
                Subject: inner subject

                inner body
                --b--
                """)));
    }

    @Test
    void htmlRendering() {
        assertEquals(" a  b ", HtmlText.of("<p>a</p><p>b</p>"));
        assertEquals("a < b & c > d", HtmlText.of("a < b & c > d"));
        assertEquals("\u00a9 2002 – é A x &bogus; &", HtmlText.of("&copy 2002 &#150; &#233; &#x41; x &bogus; &"));
        assertEquals("kept", HtmlText.of("kept<!-- an unterminated comment hides the rest"));
        assertEquals("", HtmlText.of("<script type=\"text/javascript\">document.write('<b>x</b>')"));
        assertEquals("\uFFFD", HtmlText.of("&#0;"));
    }

    @Test
    void undecodableMessagesSayWhy() {
        String[][] cases = {
            {"\u0000\u0001binary garbage\nmore\n", "does not start with a mail header"},
            {"Subject: x\nContent-Type: multipart/mixed\n\n--a\n\nbody\n--a--\n", "without a boundary"},
            {"Subject: x\nContent-Type: multipart/mixed; boundary=\"=B 1\"\n\n--= B 1\n\nbody\n--= B 1--\n",
                "delimits no part"},
            {"Subject: x\nContent-Transfer-Encoding: base64\n\nQUJDR\n", "invalid base64"},
            {"Subject: x\nContent-Transfer-Encoding: base64\n\n!!! not base64 !!!\n", "invalid base64"},
            {"From: a@example.com\n\n   \n", "no subject and no text part"},
            {"Subject:\nContent-Type: image/gif\n\nR0lGODlh\n", "no subject and no text part"},
        };
        for (String[] c : cases) {
            MailText.Undecodable e = assertThrows(MailText.Undecodable.class, () -> MailText.of(mail(c[0])), c[1]);
            assertTrue(e.getMessage().contains(c[1]), e.getMessage());
        }
        StringBuilder nested = new StringBuilder("Subject: deep\n");
        for (int i = 0; i <= MailText.MAX_DEPTH + 1; i++) {
            nested.append("Content-Type: multipart/mixed; boundary=b").append(i).append("\n\n--b").append(i)
                    .append('\n');
        }
        MailText.Undecodable e = assertThrows(MailText.Undecodable.class, () -> MailText.of(mail(nested + "\nx\n")));
        assertTrue(e.getMessage().contains("nested deeper"), e.getMessage());
    }
}
