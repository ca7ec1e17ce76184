package web

import (
	"context"
	"errors"

	"github.com/gofiber/fiber/v2"

	"kartoteka/store"
)

func (s *Server) statusOf(err error) int {
	var fe *fiber.Error
	switch {
	case errors.As(err, &fe):
		return fe.Code
	case errors.Is(err, store.ErrNotFound):
		return fiber.StatusNotFound
	case errors.Is(err, store.ErrForbidden):
		return fiber.StatusForbidden
	case errors.Is(err, store.ErrConflict):
		return fiber.StatusConflict
	case errors.Is(err, context.Canceled):
		// Stopping the server cancels every running request's context (fasthttp): the
		// page was cut short, nothing failed.
		return fiber.StatusServiceUnavailable
	}
	return fiber.StatusInternalServerError
}

var errorTexts = map[int]struct{ title, text string }{
	400: {"Неверный запрос", "Запрос не удалось разобрать. Вернитесь назад и попробуйте ещё раз."},
	401: {"Нужен вход", "Войдите в систему, чтобы продолжить."},
	403: {"Доступ запрещён", "У вашей роли нет доступа к этой странице или действию."},
	404: {"Не найдено", "Такой страницы или записи нет. Проверьте адрес или вернитесь на главную."},
	409: {"Конфликт изменений", "Карта уже изменена другим пользователем. Обновите страницу и повторите."},
	413: {"Слишком большой запрос", "Данные формы слишком велики."},
	422: {"Ошибка в данных", "Проверьте введённые данные."},
	500: {"Ошибка сервера", "Что-то пошло не так. Мы записали ошибку в журнал; попробуйте ещё раз."},
	503: {"Сервис недоступен", "База данных сейчас недоступна."},
}

// errorHandler maps store and fiber errors to a Russian page (or a short text for htmx).
func (s *Server) errorHandler(c *fiber.Ctx, err error) error {
	code := s.statusOf(err)
	switch {
	case errors.Is(err, context.Canceled):
		s.cfg.Log.Info("request stopped: the server is stopping", "method", c.Method(), "path", c.Path())
	case code >= 500:
		s.cfg.Log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
	}
	t, ok := errorTexts[code]
	if !ok {
		t = errorTexts[500]
		if code < 500 {
			t = errorTexts[400]
		}
	}
	text := t.text
	var fe *fiber.Error
	if errors.As(err, &fe) && code < 500 && fe.Message != "" && fe.Message != fiber.ErrNotFound.Message && isRussian(fe.Message) {
		text = fe.Message
	}
	c.Status(code)
	if c.Get("HX-Request") != "" || c.Path() == "/events" {
		c.Set("HX-Reswap", "none")
		c.Type("txt", "utf-8")
		return c.SendString(text)
	}
	c.Type("html", "utf-8")
	return c.Render("errors/error", Page{Title: t.title, User: userOf(c), CSRF: csrfOf(c), Server: s,
		Form: NewForm(nil), Data: fiber.Map{"Code": code, "Text": text}})
}

func isRussian(s string) bool {
	for _, r := range s {
		if r >= 'А' && r <= 'я' {
			return true
		}
	}
	return false
}
