import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    Label {
        textFormat: Text.PlainText
        text: i18n.t("auth:signIn.title")
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        Accessible.role: Accessible.Heading
    }
    Card {
        Layout.maximumWidth: 460
        spacing: Theme.space
        Label { textFormat: Text.PlainText; text: i18n.t("auth:signIn.email"); color: Theme.ink }
        TextField {
            id: email
            objectName: "email"
            Layout.fillWidth: true
            inputMethodHints: Qt.ImhEmailCharactersOnly | Qt.ImhNoAutoUppercase
            Accessible.name: i18n.t("auth:signIn.email")
            focus: true
            onAccepted: password.forceActiveFocus()
        }
        Label { textFormat: Text.PlainText; text: i18n.t("auth:signIn.password"); color: Theme.ink }
        TextField {
            id: password
            objectName: "password"
            Layout.fillWidth: true
            echoMode: TextInput.Password
            Accessible.name: i18n.t("auth:signIn.password")
            onAccepted: submit.clicked()
        }
        PrimaryButton {
            id: submit
            objectName: "signIn"
            text: app.busy > 0 ? i18n.t("auth:signIn.busy") : i18n.t("auth:signIn.submit")
            enabled: app.busy === 0
            Accessible.name: i18n.t("auth:signIn.submit")
            onClicked: app.signIn(email.text, password.text)
        }
    }
}
