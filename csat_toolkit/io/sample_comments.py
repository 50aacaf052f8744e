"""Word banks of the sample generator's comments (see :mod:`csat_toolkit.io.sample`).

``PHRASES[topic][language][tone]`` holds the sentences a customer writes about one of the
seven built-in topics (``TOPICS``), in each of the six languages (Chinese as two scripts),
for a tone: ``"pos"`` (satisfied, promoter, easy), ``"neu"`` (CSAT 3, passive, CES 4) or
``"neg"`` (the rest). Greek is written with its accents, Romanian mostly with its
diacritics (one sentence in each group without them, as many people type), Chinese in
Taiwan (``zh_hant``) and mainland (``zh_hans``) wording. Every sentence is tagged with its
topic by the default dictionary ``csat_toolkit/comments/topics.yaml`` (tested).

``PII`` holds one sentence per language and kind (``email``, ``phone``, ``card``) with a
``{value}`` slot; ``PII_VALUES`` the fictitious values put there: addresses at
example.com / example.org (reserved for documentation, RFC 2606), phone numbers in the
Ofcom drama range (+44 20 7946 0xxx) and the North American 555-01xx range, and the
Visa test card number. ``INJECTION_COMMENTS`` are comments that start with a formula
character (``=``, ``+``, ``-``, ``@``), by tone; they carry no built-in topic.
"""
from __future__ import annotations

__all__ = ["TOPICS", "TONES", "PHRASES", "INJECTION_COMMENTS", "PII", "PII_KINDS", "PII_NAMES",
           "UNSPACED"]

TOPICS = ("response_time", "resolution", "agent_attitude", "billing_refund", "product_bugs",
          "delivery", "ease_of_use")
TONES = ("pos", "neu", "neg")
#: Languages whose sentences are joined without a space.
UNSPACED = ("zh_hant", "zh_hans")

PHRASES: dict[str, dict[str, dict[str, tuple[str, ...]]]] = {
    "response_time": {
        "en": {
            "pos": ("Quick reply, thank you!", "They replied within ten minutes, great.",
                    "Fast response, I didn't have to wait at all."),
            "neu": ("OK, but the first reply was slow.",
                    "Fine in the end, though I waited two days for an answer."),
            "neg": ("Took far too long to get a reply.",
                    "Waited three days and nobody answered.",
                    "Very slow response, I had to chase them twice."),
        },
        "el": {
            "pos": ("Γρήγορη απάντηση, ευχαριστώ!", "Απάντησαν μέσα σε λίγα λεπτά, τέλεια.",
                    "Άμεση ανταπόκριση, δεν χρειάστηκε να περιμένω καθόλου."),
            "neu": ("Εντάξει, αλλά η πρώτη απάντηση άργησε.",
                    "Καλή εξυπηρέτηση, αν και περίμενα δύο μέρες για απάντηση."),
            "neg": ("Άργησαν πάρα πολύ να απαντήσουν.",
                    "Περίμενα τρεις μέρες και κανείς δεν απάντησε.",
                    "Πολύ αργή εξυπηρέτηση, έπρεπε να τους κυνηγάω."),
        },
        "lv": {
            "pos": ("Ātra atbilde, paldies!", "Atbildēja dažu minūšu laikā, lieliski.",
                    "Nemaz nebija jāgaida, ļoti operatīvi."),
            "neu": ("Labi, bet pirmā atbilde bija lēna.",
                    "Viss kārtībā, tikai atbildi gaidīju divas dienas."),
            "neg": ("Atbilde bija jāgaida pārāk ilgi.",
                    "Gaidīju trīs dienas, un neviens neatbildēja.",
                    "Ļoti lēna apkalpošana, nācās viņiem atgādināt divreiz."),
        },
        "ro": {
            "pos": ("Răspuns rapid, mulțumesc!", "Mi-au răspuns în câteva minute, excelent.",
                    "Nu a trebuit sa astept deloc, foarte prompt."),
            "neu": ("În regulă, dar primul răspuns a întârziat.",
                    "Totul bine, doar ca am asteptat doua zile un raspuns."),
            "neg": ("Am așteptat prea mult un răspuns.",
                    "Am așteptat trei zile și nu a răspuns nimeni.",
                    "Foarte lent, a trebuit să le scriu de două ori până au răspuns."),
        },
        "th": {
            "pos": ("ตอบกลับเร็วมาก ขอบคุณครับ", "ตอบภายในไม่กี่นาที ดีมากค่ะ",
                    "ไม่ต้องรอเลย ตอบไวมาก"),
            "neu": ("โอเค แต่ตอบกลับครั้งแรกช้าไปหน่อย", "โดยรวมดี แต่รอคำตอบตั้งสองวัน"),
            "neg": ("รอคำตอบนานเกินไป", "รอมาสามวันแล้วยังไม่มีใครตอบ",
                    "ตอบช้ามาก ต้องทวงถามถึงสองครั้ง"),
        },
        "zh_hant": {
            "pos": ("回覆很快，謝謝！", "幾分鐘內就有人回應，很棒。", "完全不用等，效率很高。"),
            "neu": ("還可以，但第一次回覆有點慢。", "整體不錯，只是等了兩天才收到回覆。"),
            "neg": ("等了太久才有回覆。", "等了三天都沒有人回應。", "回應非常慢，我催了兩次。"),
        },
        "zh_hans": {
            "pos": ("回复很快，谢谢！", "几分钟内就有人回应，很棒。", "完全不用等，效率超高。"),
            "neu": ("还可以，但第一次回复有点慢。", "总体不错，只是等了两天才收到回复。"),
            "neg": ("等了太久才有回复。", "等了三天都没有人回应。", "回应非常慢，我催了两次。"),
        },
    },
    "resolution": {
        "en": {
            "pos": ("The problem was solved on the first contact.",
                    "Issue fixed, everything works again.",
                    "They sorted it out completely, thanks."),
            "neu": ("Solved in the end, but it took a couple of emails.",
                    "Fixed for now, not sure the workaround will last."),
            "neg": ("Still not fixed after a week.",
                    "I had to explain the problem three times and it is still not resolved.",
                    "They closed my ticket without solving anything."),
        },
        "el": {
            "pos": ("Το πρόβλημα λύθηκε με την πρώτη επικοινωνία.",
                    "Διόρθωσαν το θέμα και όλα δουλεύουν ξανά.",
                    "Βρήκαν λύση σε όλα, ευχαριστώ."),
            "neu": ("Λύθηκε στο τέλος, αλλά χρειάστηκαν αρκετά email.",
                    "Προσωρινή λύση, δεν ξέρω αν θα κρατήσει."),
            "neg": ("Το πρόβλημα δεν λύθηκε ακόμα.",
                    "Εξήγησα το πρόβλημα τρεις φορές και ακόμα δεν έχει επιλυθεί.",
                    "Έκλεισαν το αίτημά μου χωρίς να λυθεί τίποτα."),
        },
        "lv": {
            "pos": ("Problēma tika atrisināta jau pirmajā saziņā.",
                    "Visu nokārtoja, viss atkal darbojas.",
                    "Atrada risinājumu visam, paldies."),
            "neu": ("Beigās atrisināja, bet vajadzēja vairākus e-pastus.",
                    "Pagaidu risinājums, nezinu, vai tas noturēsies."),
            "neg": ("Problēma joprojām nav atrisināta.",
                    "Trīs reizes skaidroju problēmu, un tā joprojām nav atrisināta.",
                    "Pieteikumu slēdza, neko neatrisinot."),
        },
        "ro": {
            "pos": ("Problema a fost rezolvată de la primul contact.",
                    "Au remediat totul, acum merge din nou.",
                    "Au gasit o solutie pentru tot, multumesc."),
            "neu": ("Rezolvat până la urmă, dar după mai multe e-mailuri.",
                    "Soluție temporară, nu știu cât va ține."),
            "neg": ("Problema încă nu este rezolvată.",
                    "Am explicat problema de trei ori si tot nu e rezolvata.",
                    "Mi-au închis tichetul fără să rezolve nimic."),
        },
        "th": {
            "pos": ("แก้ปัญหาได้ตั้งแต่ติดต่อครั้งแรก", "แก้ไขเรียบร้อยแล้ว ตอนนี้ใช้ได้ปกติ",
                    "หาทางแก้ให้ได้ทุกเรื่อง ขอบคุณค่ะ"),
            "neu": ("สุดท้ายก็แก้ได้ แต่ต้องส่งอีเมลหลายรอบ",
                    "เป็นวิธีแก้ชั่วคราว ไม่แน่ใจว่าจะใช้ได้นานแค่ไหน"),
            "neg": ("ปัญหายังไม่ได้รับการแก้ไข", "อธิบายปัญหาไปสามรอบแล้ว ก็ยังแก้ไม่ได้",
                    "ปิดเรื่องไปทั้งที่ยังไม่ได้แก้อะไรเลย"),
        },
        "zh_hant": {
            "pos": ("第一次聯絡就把問題解決了。", "問題修好了，現在一切正常。",
                    "每個問題都幫我找到解決辦法，謝謝。"),
            "neu": ("最後還是解決了，但來回寄了好幾封郵件。", "只是暫時的解決方法，不知道能撐多久。"),
            "neg": ("問題還沒有解決。", "同一個問題我說明了三次，還是沒解決。",
                    "案件被關閉了，但什麼都沒處理好。"),
        },
        "zh_hans": {
            "pos": ("第一次联系就把问题解决了。", "问题修好了，现在一切正常。",
                    "每个问题都帮我找到解决办法，谢谢。"),
            "neu": ("最后还是解决了，但来回发了好几封邮件。", "只是临时的解决方法，不知道能撑多久。"),
            "neg": ("问题还没有解决。", "同一个问题我说明了三次，还是没解决。",
                    "工单被关闭了，但什么都没处理好。"),
        },
    },
    "agent_attitude": {
        "en": {
            "pos": ("Very friendly and patient agent.", "Maria was so helpful and kind, thank you!",
                    "Polite, professional support staff."),
            "neu": ("The agent was polite but did not seem to know the product.",
                    "Friendly enough, just a bit scripted."),
            "neg": ("The agent was rude and dismissive.", "Unhelpful staff, they hung up on me.",
                    "Nobody seemed to care, very unprofessional attitude."),
        },
        "el": {
            "pos": ("Πολύ ευγενικός και υπομονετικός υπάλληλος.",
                    "Η Μαρία ήταν πολύ εξυπηρετική, ευχαριστώ!",
                    "Ευγενικό και επαγγελματικό προσωπικό."),
            "neu": ("Ευγενικός, αλλά δεν φαινόταν να ξέρει το προϊόν.",
                    "Φιλικοί, αλλά μιλούσαν σαν να διάβαζαν σενάριο."),
            "neg": ("Ο υπάλληλος ήταν αγενής και απότομος.",
                    "Μου έκλεισαν το τηλέφωνο στα μούτρα, απαράδεκτη συμπεριφορά.",
                    "Καμία διάθεση να βοηθήσουν, αντιεπαγγελματική στάση."),
        },
        "lv": {
            "pos": ("Ļoti laipns un pacietīgs konsultants.",
                    "Marija bija ļoti izpalīdzīga, paldies!",
                    "Pieklājīgi un profesionāli darbinieki."),
            "neu": ("Pieklājīgs, bet neizskatījās, ka pārzina produktu.",
                    "Draudzīgi, tikai runāja kā pēc šablona."),
            "neg": ("Konsultants bija rupjš un nevērīgs.",
                    "Nometa klausuli, nepieņemama attieksme.",
                    "Nekādas vēlmes palīdzēt, ļoti neprofesionāli."),
        },
        "ro": {
            "pos": ("Operator foarte amabil și răbdător.",
                    "Maria a fost de mare ajutor, mulțumesc!",
                    "Personal politicos si profesionist."),
            "neu": ("Politicos, dar nu părea să cunoască produsul.",
                    "Prietenoși, doar că vorbeau ca după un scenariu."),
            "neg": ("Operatorul a fost nepoliticos și arogant.",
                    "Mi-a închis telefonul în nas, atitudine inacceptabilă.",
                    "Nicio dorinta de a ajuta, foarte neprofesionist."),
        },
        "th": {
            "pos": ("พนักงานสุภาพและใจเย็นมาก", "คุณมาลีช่วยเหลือดีมาก ใส่ใจลูกค้า ขอบคุณค่ะ",
                    "เจ้าหน้าที่เป็นมิตรและเป็นมืออาชีพ"),
            "neu": ("พนักงานสุภาพ แต่ดูเหมือนไม่ค่อยรู้เรื่องสินค้า", "เป็นมิตรดี แค่พูดเหมือนอ่านสคริปต์"),
            "neg": ("พนักงานพูดจาไม่สุภาพและไม่ใส่ใจ", "วางสายใส่ มารยาทแย่มาก",
                    "ไม่มีความเป็นมืออาชีพเลย ไม่เต็มใจช่วยเหลือ"),
        },
        "zh_hant": {
            "pos": ("客服人員非常親切又有耐心。", "小美非常熱心幫忙，謝謝！", "服務人員很有禮貌也很專業。"),
            "neu": ("客服很有禮貌，但好像不太了解產品。", "態度還算友善，只是講話像在照稿念。"),
            "neg": ("客服態度很差，很不耐煩。", "直接掛我電話，太沒禮貌了。", "完全不想幫忙，非常不專業。"),
        },
        "zh_hans": {
            "pos": ("客服人员非常亲切又有耐心。", "小美非常热心帮忙，谢谢！", "服务人员很有礼貌也很专业。"),
            "neu": ("客服很有礼貌，但好像不太了解产品。", "态度还算友善，只是说话像在照稿念。"),
            "neg": ("客服态度很差，很不耐烦。", "直接挂我电话，太没礼貌了。", "完全不想帮忙，非常不专业。"),
        },
    },
    "billing_refund": {
        "en": {
            "pos": ("Refund came through the same day, thanks.",
                    "They sent a corrected invoice the same afternoon.",
                    "Fair price and clear billing."),
            "neu": ("Good product, though the price went up again.",
                    "Support was fine, but the credit note has not come yet."),
            "neg": ("Charged twice and still no refund.", "Too expensive for what we get.",
                    "The invoice is wrong for the third month in a row."),
        },
        "el": {
            "pos": ("Η επιστροφή χρημάτων έγινε την ίδια μέρα.",
                    "Μας έστειλαν σωστό τιμολόγιο το ίδιο απόγευμα.",
                    "Λογική τιμή και ξεκάθαρες χρεώσεις."),
            "neu": ("Καλό προϊόν, αλλά η τιμή ανέβηκε ξανά.",
                    "Όλα καλά, μόνο που το πιστωτικό σημείωμα δεν έχει έρθει ακόμα."),
            "neg": ("Με χρέωσαν δύο φορές και ακόμα καμία επιστροφή χρημάτων.",
                    "Πολύ ακριβό για αυτό που παίρνουμε.",
                    "Λάθος τιμολόγιο για τρίτο συνεχόμενο μήνα."),
        },
        "lv": {
            "pos": ("Naudu atmaksāja tajā pašā dienā.",
                    "Pareizu rēķinu atsūtīja tajā pašā pēcpusdienā.",
                    "Godīga cena un skaidri rēķini."),
            "neu": ("Labs produkts, bet cena atkal pieauga.",
                    "Viss labi, tikai kredītrēķins vēl nav atnācis."),
            "neg": ("Naudu noņēma divreiz, un atmaksas joprojām nav.",
                    "Pārāk dārgi par to, ko saņemam.",
                    "Jau trešo mēnesi pēc kārtas nepareizs rēķins."),
        },
        "ro": {
            "pos": ("Banii au fost returnați în aceeași zi.",
                    "Ne-au trimis factura corectă în aceeași după-amiază.",
                    "Pret corect si facturare clara."),
            "neu": ("Produs bun, dar prețul a crescut din nou.",
                    "Totul bine, doar că nota de credit nu a venit încă."),
            "neg": ("Am fost taxat de două ori și încă nu am primit banii înapoi.",
                    "Prea scump pentru ce primim.", "Factura e greșită a treia lună la rând."),
        },
        "th": {
            "pos": ("ได้รับเงินคืนภายในวันเดียว", "ส่งใบแจ้งหนี้ที่ถูกต้องมาให้ในบ่ายวันเดียวกัน",
                    "ราคาเหมาะสม ค่าบริการชัดเจน"),
            "neu": ("สินค้าดี แต่ราคาขึ้นอีกแล้ว", "โดยรวมโอเค แค่ใบลดหนี้ยังไม่ได้รับ"),
            "neg": ("ถูกเรียกเก็บเงินซ้ำสองครั้ง แล้วยังไม่ได้เงินคืน", "แพงเกินไปสำหรับสิ่งที่ได้",
                    "ใบแจ้งหนี้ผิดเป็นเดือนที่สามติดกันแล้ว"),
        },
        "zh_hant": {
            "pos": ("退款當天就收到了。", "當天下午就寄來正確的發票。", "價格合理，收費清楚。"),
            "neu": ("產品不錯，但價格又漲了。", "整體還行，只是折讓單還沒收到。"),
            "neg": ("被重複扣款，到現在還沒退款。", "以我們得到的服務來說太貴了。", "連續三個月帳單都有錯。"),
        },
        "zh_hans": {
            "pos": ("退款当天就到账了。", "当天下午就发来正确的发票。", "价格合理，收费清楚。"),
            "neu": ("产品不错，但价格又涨了。", "总体还行，只是红字发票还没收到。"),
            "neg": ("被重复扣款，到现在还没退款。", "就我们得到的服务来说太贵了。", "连续三个月账单都有错。"),
        },
    },
    "product_bugs": {
        "en": {
            "pos": ("No bugs since the last update, nice.",
                    "The app runs smoothly now, no more crashes.",
                    "The integration has been rock solid since the update, no errors."),
            "neu": ("It works, but the mobile app lags.",
                    "Mostly fine, the odd error message now and then."),
            "neg": ("The app keeps crashing.", "Integrations keep breaking, very frustrating.",
                    "Sync stopped working after the update."),
        },
        "el": {
            "pos": ("Κανένα σφάλμα από την τελευταία αναβάθμιση.",
                    "Η εφαρμογή τρέχει πλέον χωρίς να κολλάει.",
                    "Η ενσωμάτωση λειτουργεί άψογα μετά την αναβάθμιση."),
            "neu": ("Δουλεύει, αλλά η εφαρμογή στο κινητό κολλάει λίγο.",
                    "Γενικά καλά, πού και πού βγάζει κάποιο σφάλμα."),
            "neg": ("Η εφαρμογή κρασάρει συνέχεια.",
                    "Οι ενσωματώσεις χαλάνε διαρκώς, πολύ εκνευριστικό.",
                    "Ο συγχρονισμός σταμάτησε να λειτουργεί μετά την αναβάθμιση."),
        },
        "lv": {
            "pos": ("Kopš pēdējā atjauninājuma nav nevienas kļūdas.",
                    "Lietotne tagad strādā bez aizķeršanās.",
                    "Integrācija pēc atjauninājuma darbojas nevainojami."),
            "neu": ("Strādā, bet mobilā lietotne bremzē.",
                    "Kopumā labi, tikai laiku pa laikam izmet kļūdu."),
            "neg": ("Lietotne nemitīgi avarē.", "Integrācijas pastāvīgi lūzt, ļoti kaitina.",
                    "Sinhronizācija pēc atjauninājuma pārstāja darboties."),
        },
        "ro": {
            "pos": ("Nicio eroare de la ultima actualizare.",
                    "Aplicația merge acum fără să se blocheze.",
                    "Integrarea functioneaza perfect dupa actualizare."),
            "neu": ("Merge, dar aplicația de mobil se blochează uneori.",
                    "În general bine, din când în când apare câte o eroare."),
            "neg": ("Aplicația se blochează tot timpul.",
                    "Integrările se strică mereu, foarte enervant.",
                    "Sincronizarea nu mai funcționează de la actualizare."),
        },
        "th": {
            "pos": ("ตั้งแต่อัปเดตล่าสุดไม่มีบั๊กเลย", "ตอนนี้แอปไม่ค้างแล้ว ใช้งานลื่นมาก",
                    "การเชื่อมต่อกับระบบอื่นทำงานได้สมบูรณ์หลังอัปเดต"),
            "neu": ("ใช้ได้ แต่แอปบนมือถือค้างบ่อย", "โดยรวมดี มีข้อผิดพลาดขึ้นมาบ้างเป็นครั้งคราว"),
            "neg": ("แอปเด้งออกตลอดเวลา", "การเชื่อมต่อกับระบบอื่นพังบ่อยมาก น่าหงุดหงิด",
                    "หลังอัปเดตแล้วซิงค์ข้อมูลไม่ได้เลย"),
        },
        "zh_hant": {
            "pos": ("上次更新後就沒再遇到錯誤。", "App 現在很順，不會再閃退了。", "系統整合更新後運作得很完美。"),
            "neu": ("能用，但手機版有點卡。", "大致上還好，偶爾會跳出錯誤訊息。"),
            "neg": ("App 一直閃退。", "系統整合常常出問題，很煩。", "更新後同步功能就不能用了。"),
        },
        "zh_hans": {
            "pos": ("上次更新后就没再遇到错误。", "App 现在很流畅，不会再闪退了。", "系统集成更新后运行得很完美。"),
            "neu": ("能用，但手机版有点卡。", "总体还好，偶尔会弹出错误提示。"),
            "neg": ("App 一直闪退。", "系统集成老是出问题，很烦。", "更新后同步功能就不能用了。"),
        },
    },
    "delivery": {
        "en": {
            "pos": ("The order was delivered a day early.",
                    "The parcel came well packed and on time.",
                    "Delivery was on schedule and the tracking was accurate."),
            "neu": ("Delivery took longer than promised, but everything arrived fine.",
                    "The courier came a day later than promised."),
            "neg": ("The package arrived damaged.", "My order was never delivered.",
                    "The shipment got lost and nobody told us."),
        },
        "el": {
            "pos": ("Η παραγγελία παραδόθηκε μία μέρα νωρίτερα.",
                    "Το δέμα ήρθε καλά συσκευασμένο και στην ώρα του.",
                    "Η αποστολή ήταν στην ώρα της και η παρακολούθηση ακριβής."),
            "neu": ("Η παράδοση πήρε περισσότερο απ' ό,τι μας είπαν, αλλά όλα ήρθαν εντάξει.",
                    "Ο κούριερ ήρθε την επόμενη μέρα από αυτή που είχε πει."),
            "neg": ("Το δέμα έφτασε κατεστραμμένο.", "Η παραγγελία μου δεν παραδόθηκε ποτέ.",
                    "Η αποστολή χάθηκε και κανείς δεν μας ενημέρωσε."),
        },
        "lv": {
            "pos": ("Pasūtījumu piegādāja pat pirms noteiktā termiņa.",
                    "Sūtījums atnāca labi iepakots un laikā.",
                    "Piegāde bija precīza, un sūtījumu varēja izsekot."),
            "neu": ("Piegāde aizņēma dažas dienas vairāk, bet viss atnāca kārtībā.",
                    "Kurjers atbrauca dienu vēlāk, nekā solīja."),
            "neg": ("Sūtījums pienāca bojāts.", "Mans pasūtījums tā arī netika piegādāts.",
                    "Sūtījums pazuda, un neviens mūs neinformēja."),
        },
        "ro": {
            "pos": ("Comanda a fost livrată cu o zi mai devreme.",
                    "Coletul a ajuns bine ambalat și la timp.",
                    "Livrarea a fost la termen, iar urmarirea coletului a mers perfect."),
            "neu": ("Livrarea a durat câteva zile în plus, dar totul a ajuns bine.",
                    "Curierul a venit cu o zi mai târziu decât promisese."),
            "neg": ("Coletul a ajuns deteriorat.", "Comanda mea nu a fost livrată niciodată.",
                    "Coletul s-a pierdut și nu ne-a anunțat nimeni."),
        },
        "th": {
            "pos": ("ได้รับพัสดุก่อนวันที่กำหนด", "พัสดุมาถึงตรงเวลา แพ็กมาอย่างดี",
                    "การจัดส่งตรงเวลา ติดตามพัสดุได้ตลอด"),
            "neu": ("การจัดส่งใช้เวลามากกว่าที่บอกไว้ไม่กี่วัน แต่ของมาครบ",
                    "บริษัทขนส่งมาส่งหลังวันที่นัดไว้หนึ่งวัน"),
            "neg": ("พัสดุมาถึงในสภาพชำรุด", "คำสั่งซื้อของฉันไม่เคยได้รับเลย",
                    "พัสดุหายระหว่างขนส่ง และไม่มีใครแจ้งเราเลย"),
        },
        "zh_hant": {
            "pos": ("訂單提早一天送達。", "包裹準時送到，包裝得很好。", "配送準時，物流追蹤也很準確。"),
            "neu": ("送貨比說好的晚了幾天，不過東西都沒問題。", "快遞比約好的時間晚了一天才來。"),
            "neg": ("包裹送到時已經損壞。", "我的訂單一直沒有送到。", "包裹寄丟了，也沒有人通知我們。"),
        },
        "zh_hans": {
            "pos": ("订单提前一天送达。", "包裹准时送到，包装得很好。", "配送准时，物流跟踪也很准确。"),
            "neu": ("送货比说好的晚了几天，不过东西都没问题。", "快递比约好的时间晚了一天才来。"),
            "neg": ("包裹送到时已经损坏了。", "我的订单一直没有送到。", "包裹寄丢了，也没有人通知我们。"),
        },
    },
    "ease_of_use": {
        "en": {
            "pos": ("Really easy to set up.", "Simple and intuitive, the whole team uses it.",
                    "Setup was painless, very intuitive."),
            "neu": ("Easy once you get used to it, but the settings are hard to find.",
                    "The dashboard is fine, the admin console is a bit confusing."),
            "neg": ("Confusing interface, I can't find anything.",
                    "Far too complicated to set up.",
                    "Hard to use, we need training for every little thing."),
        },
        "el": {
            "pos": ("Πολύ εύκολο στη ρύθμιση.", "Απλό και κατανοητό, όλη η ομάδα το χρησιμοποιεί.",
                    "Η εγκατάσταση ήταν παιχνιδάκι."),
            "neu": ("Εύκολο όταν το συνηθίσεις, αλλά οι ρυθμίσεις δεν βρίσκονται εύκολα.",
                    "Ο πίνακας ελέγχου είναι εντάξει, η κονσόλα διαχείρισης λίγο μπερδεμένη."),
            "neg": ("Μπερδεμένο περιβάλλον, δεν βρίσκω τίποτα.", "Πολύ περίπλοκο στη ρύθμιση.",
                    "Δύσκολο στη χρήση, χρειαζόμαστε εκπαίδευση για το παραμικρό."),
        },
        "lv": {
            "pos": ("Ļoti viegli uzstādīt.", "Vienkārši un saprotami, visa komanda to izmanto.",
                    "Iestatīšana bija pavisam vienkārša."),
            "neu": ("Viegli, kad pierod, bet iestatījumus grūti atrast.",
                    "Pārskats ir labs, administrēšanas konsole gan mazliet mulsinoša."),
            "neg": ("Mulsinoša saskarne, neko nevaru atrast.", "Pārāk sarežģīti uzstādīt.",
                    "Grūti lietot, katram sīkumam vajag apmācību."),
        },
        "ro": {
            "pos": ("Foarte ușor de configurat.", "Simplu și intuitiv, toată echipa îl folosește.",
                    "Instalarea a fost o joaca de copii."),
            "neu": ("Ușor după ce te obișnuiești, dar setările sunt greu de găsit.",
                    "Panoul e în regulă, consola de administrare e puțin confuză."),
            "neg": ("Interfață confuză, nu găsesc nimic.", "Mult prea complicat de configurat.",
                    "Greu de folosit, avem nevoie de instruire pentru orice."),
        },
        "th": {
            "pos": ("ติดตั้งง่ายมาก", "ใช้งานง่ายและเข้าใจได้ทันที ทั้งทีมใช้กันหมด",
                    "ตั้งค่าเสร็จในพริบตา สะดวกมาก"),
            "neu": ("ใช้ง่ายเมื่อคุ้นเคยแล้ว แต่หาการตั้งค่าไม่ค่อยเจอ",
                    "หน้าแดชบอร์ดโอเค แต่คอนโซลผู้ดูแลระบบค่อนข้างสับสน"),
            "neg": ("หน้าจอใช้งานสับสน หาอะไรไม่เจอเลย", "ตั้งค่ายุ่งยากเกินไป",
                    "ใช้ยากมาก ทำอะไรนิดหน่อยก็ต้องมีคนสอน"),
        },
        "zh_hant": {
            "pos": ("設定非常簡單。", "簡單又直覺，整個團隊都在用。", "安裝一點都不麻煩，很好上手。"),
            "neu": ("習慣之後就好用，但設定很難找。", "儀表板還可以，管理後台有點難懂。"),
            "neg": ("介面很亂，什麼都找不到。", "設定太複雜了。", "很難用，每個小地方都需要教學。"),
        },
        "zh_hans": {
            "pos": ("设置非常简单。", "简单又直观，整个团队都在用。", "安装一点都不麻烦，很容易上手。"),
            "neu": ("习惯之后就好用，但设置很难找。", "仪表盘还可以，管理后台有点难懂。"),
            "neg": ("界面很乱，什么都找不到。", "设置太复杂了。", "很难用，每个小地方都需要培训。"),
        },
    },
}

# Real customers sometimes start a comment with a formula character.
INJECTION_COMMENTS = {
    "pos": ("+1 great support", "@support thanks for the quick fix", "=) all good now",
            "+++ excellent"),
    "neu": ("@support please call me back", "-> see my previous email", "=== no answer yet ==="),
    "neg": ("-- not happy", "- still waiting for a refund", "=( very slow",
            "-1 for the wait time", "@team this is the third time I ask"),
}

PII_KINDS = ("email", "phone", "card")
#: One sentence per language and kind; ``{value}`` is the fictitious address or number.
PII = {
    "en": ("You can e-mail me at {value}.", "Please call me back on {value}.",
           "My card number is {value}."),
    "el": ("Το email μου είναι {value}.", "Καλέστε με στο {value}.",
           "Ο αριθμός της κάρτας μου είναι {value}."),
    "lv": ("Mans e-pasts: {value}.", "Lūdzu, piezvaniet man uz {value}.",
           "Mans kartes numurs: {value}."),
    "ro": ("Adresa mea de e-mail este {value}.", "Vă rog să mă sunați la {value}.",
           "Numărul cardului meu este {value}."),
    "th": ("อีเมลของฉันคือ {value}", "โทรกลับที่เบอร์ {value} ได้เลยครับ", "เลขบัตรของฉันคือ {value}"),
    "zh_hant": ("我的電郵是 {value}。", "請打 {value} 聯絡我。", "我的卡號是 {value}。"),
    "zh_hans": ("我的邮箱是 {value}。", "请打 {value} 联系我。", "我的卡号是 {value}。"),
}
#: Local parts of the fictitious e-mail addresses.
PII_NAMES = ("anna.k", "j.smith", "maria.p", "office", "lee.w", "dimitris", "ilze.b", "somchai")
