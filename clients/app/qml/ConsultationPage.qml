import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    readonly property var c: app.consultation
    PrimaryButton {
        secondary: true
        text: "← " + i18n.t("forum:private.title")
        onClicked: app.showPage("consultations")
    }
    Label {
        textFormat: Text.PlainText
        text: c.subject || ""
        font.pixelSize: Theme.textXl
        font.bold: true
        color: Theme.ink
        wrapMode: Text.Wrap
        Layout.fillWidth: true
        Accessible.role: Accessible.Heading
    }
    Label { textFormat: Text.PlainText; text: i18n.t("forum:private.intro"); color: Theme.muted; wrapMode: Text.Wrap; Layout.fillWidth: true }
    Repeater {
        model: c.posts || []
        delegate: Card {
            required property var modelData
            objectName: "postCard"
            color: modelData.mine ? Theme.surface2 : Theme.surface
            Accessible.name: modelData.author + ": " + modelData.text
            Label { textFormat: Text.PlainText; text: modelData.author + " · " + modelData.when; color: Theme.muted; font.pixelSize: Theme.textSm }
            Label { textFormat: Text.PlainText; text: modelData.text; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
        }
    }
    Card {
        spacing: Theme.space
        Label { textFormat: Text.PlainText; text: i18n.t("forum:private.message"); color: Theme.ink }
        TextArea {
            id: message
            Layout.fillWidth: true
            Layout.preferredHeight: 90
            wrapMode: TextEdit.Wrap
            Accessible.name: i18n.t("forum:private.message")
        }
        PrimaryButton {
            text: i18n.t("forum:private.send")
            enabled: app.busy === 0 && message.text.trim().length > 0
            onClicked: { app.reply(message.text); message.text = "" }
        }
    }
}
