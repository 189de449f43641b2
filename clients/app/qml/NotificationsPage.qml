import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

ColumnLayout {
    spacing: Theme.space * 1.5
    RowLayout {
        Layout.fillWidth: true
        Label {
            textFormat: Text.PlainText
            text: i18n.t("patient:notifications.title")
            font.pixelSize: Theme.textXl
            font.bold: true
            color: Theme.ink
            Layout.fillWidth: true
            Accessible.role: Accessible.Heading
        }
        Label {
            textFormat: Text.PlainText
            text: app.live ? "● live" : ""
            color: Theme.link
            font.pixelSize: Theme.textSm
            Accessible.ignored: true
        }
        PrimaryButton { secondary: true; text: i18n.t("patient:notifications.markAll"); enabled: app.unreadCount > 0; onClicked: app.markAllRead() }
    }
    Label {
        textFormat: Text.PlainText
        visible: app.busy === 0 && app.notifications.length === 0
        text: i18n.t("patient:notifications.none")
        color: Theme.muted
    }
    Repeater {
        model: app.notifications
        delegate: Card {
            required property var modelData
            objectName: "notificationCard"
            border.color: modelData.read ? Theme.line : Theme.brand
            Accessible.name: modelData.title + (modelData.read ? "" : " " + i18n.t("patient:notifications.unread"))
            Label { textFormat: Text.PlainText; text: modelData.title + (modelData.read ? "" : "  •"); font.bold: !modelData.read; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: modelData.body; color: Theme.ink; wrapMode: Text.Wrap; Layout.fillWidth: true }
            Label { textFormat: Text.PlainText; text: modelData.when; color: Theme.muted; font.pixelSize: Theme.textSm }
        }
    }
}
