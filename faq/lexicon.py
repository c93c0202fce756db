"""
Word lists for the suggestion engine, per language: stop words (function words
plus the polite filler of chat questions, which says nothing about the topic)
and synonym groups of a web shop's customer service. Synonyms are written as
customers write them; the engine stems and folds them like any other text, so
"zurückschicken" and "Rücksendungen" become the same term. A support team adds
its own words per entry in the entry's keywords.
"""

STOP_WORDS = {
    "en": """
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself
him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more most mustn't
my myself no nor not of off on once only or other ought our ours ourselves out over own same shan't she she'd
she'll she's should shouldn't so some such than that that's the their theirs them themselves then there
there's these they they'd they'll they're they've this those through to too under until up very was wasn't we
we'd we'll we're we've were weren't what what's when when's where where's which while who who's whom why why's
with won't would wouldn't you you'd you'll you're you've your yours yourself yourselves
s t d ll m re ve im dont cant wont didnt doesnt isnt whats hows don doesn didn isn wasn aren couldn wouldn shouldn won haven hasn
hi hello hey dear thanks thank thx please pls plz question ask asking wonder wondering help know tell
want wanted wanna need like would could possible just really still also maybe anyone somebody someone
get got gets getting guys team support way something anything thing things ok okay yes now currently many much
anyway actually already
""",
    "de": """
aber alle allem allen aller alles als also am an ander andere anderem anderen anderer anderes anderm andern
anderr anders auch auf aus bei bin bis bist da damit dann das dass daß dasselbe dazu dein deine deinem deinen
deiner deines dem demselben den denn denselben der derer derselbe derselben des desselben dessen dich die dies
diese dieselbe dieselben diesem diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines
einig einige einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer eures für
gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer
ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem jenen jener jenes jetzt kann kein keine
keinem keinen keiner keines können könnte machen man manche manchem manchen mancher manches mein meine meinem
meinen meiner meines mich mir mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine
seinem seinen seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte
sondern sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor während war waren
warst was weg weil weiter welche welchem welchen welcher welches wenn werde werden wie wieder will wir wird
wirst wo wollen wollte würde würden zu zum zur zwar zwischen
hallo hi hey moin servus guten tag morgen abend liebe lieber grüße gruß danke dank vielen bitte frage fragen
mal eigentlich denn gerne gern kurz irgendwie bzw ja nein okay ok wäre hätte gibt geht gehen möchte möchten
würde könnt könntet könnten wissen weiß sagen bräuchte brauche brauch hilfe helfen kann's möglich
gerade grad schon immer halt eben etwa hab habt
""",
}

SYNONYMS = {
    "en": [
        ["return", "send back", "sending back", "give back", "take back"],
        ["refund", "money back", "reimbursement", "reimburse", "repay"],
        ["password", "passcode", "passphrase", "pw"],
        ["voucher", "coupon", "promo code", "discount code", "gift code", "gift card", "giftcard"],
        ["invoice", "bill", "receipt"],
        ["account", "profile", "customer account"],
        ["shipping", "postage", "delivery charge", "shipping cost"],
        ["delivery", "arrive", "arrival", "deliver"],
        ["parcel", "package", "shipment", "order status"],
        ["cancel", "cancellation", "revoke", "withdraw"],
        ["pay", "payment", "paying", "checkout"],
        ["abroad", "international", "overseas", "another country", "foreign"],
        ["broken", "damaged", "defective", "faulty", "arrived broken"],
        ["exchange", "swap", "replace", "replacement"],
        ["phone", "call", "hotline", "telephone"],
        ["email", "e-mail", "mail address", "email address"],
        ["delete", "remove", "close", "erase"],
        ["newsletter", "marketing emails", "unsubscribe"],
        ["size", "fit", "sizing", "measurements"],
        ["warranty", "guarantee"],
        ["receive", "received", "receiving"],
    ],
    "de": [
        [
            "rücksendung",
            "retoure",
            "retournieren",
            "zurückschicken",
            "zurücksenden",
            "zurückgeben",
            "rückgabe",
            "zurücksendung",
            "zurückgehen",
        ],
        ["erstattung", "rückerstattung", "geld zurück", "gutschrift", "zurückzahlen", "rückzahlung"],
        ["passwort", "kennwort", "zugangsdaten", "pw"],
        ["gutschein", "gutscheincode", "rabattcode", "aktionscode", "coupon", "rabatt", "geschenkkarte"],
        ["rechnung", "quittung", "beleg", "rechnungskopie"],
        ["konto", "kundenkonto", "account", "profil", "benutzerkonto"],
        ["versandkosten", "porto", "lieferkosten", "versandgebühr", "versandgebühren"],
        ["lieferzeit", "lieferdauer", "liefertermin", "zustellung", "ankommen", "eintreffen"],
        ["paket", "sendung", "lieferung", "päckchen", "bestellstatus"],
        ["stornieren", "stornierung", "storno", "widerrufen", "widerruf", "abbestellen"],
        ["bezahlen", "zahlung", "zahlen", "bezahlung", "zahlungsart", "zahlungsmethode", "zahlungsmöglichkeiten"],
        ["ausland", "international", "österreich", "schweiz"],
        ["kaputt", "beschädigt", "defekt", "zerbrochen", "mangelhaft"],
        ["umtausch", "umtauschen", "tauschen", "austauschen", "ersatz"],
        ["telefon", "anrufen", "hotline", "telefonisch"],
        ["löschen", "entfernen", "kündigen", "auflösen"],
        ["newsletter", "werbemails", "abmelden"],
        ["größe", "passform", "größentabelle", "größen"],
        ["garantie", "gewährleistung"],
        ["vergessen", "verloren"],
        ["bekommen", "kriegen", "erhalten", "zurückbekommen"],
    ],
}
