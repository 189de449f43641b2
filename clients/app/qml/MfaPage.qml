import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    id: page
    property bool recovery: false
    spacing: Theme.space * 1.5
    Label {
        textFormat: Text.PlainText
        text: i18n.t("auth:mfa.title")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Card {
        Layout.maximumWidth: 460
        spacing: Theme.space
        Label { textFormat: Text.PlainText; text: page.recovery ? i18n.t("auth:mfa.recoveryCode") : i18n.t("auth:mfa.totpCode"); color: Theme.ink }
        TextField {
            id: code
            Layout.fillWidth: true
            focus: true
            inputMethodHints: page.recovery ? Qt.ImhNone : Qt.ImhDigitsOnly
            Accessible.name: page.recovery ? i18n.t("auth:mfa.recoveryCode") : i18n.t("auth:mfa.totpCode")
            onAccepted: verify.clicked()
        }
        RowLayout {
            PrimaryButton {
                id: verify
                text: i18n.t("auth:mfa.verify")
                enabled: app.busy === 0
                onClicked: app.verifyMfa(code.text, page.recovery)
            }
            Button {
                Accessible.name: text
                flat: true
                text: page.recovery ? i18n.t("auth:mfa.useTotp") : i18n.t("auth:mfa.useRecovery")
                onClicked: { page.recovery = !page.recovery; code.text = "" }
            }
        }
    }
}
